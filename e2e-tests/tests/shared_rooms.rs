//! Rooms across signaling instances on one Redis, in real Chromium: the
//! reference scenario with each tab on its own instance, and a peer whose instance is
//! killed coming back through the load balancer on another one, as itself.

use e2e_tests::{Balancer, Harness, reference_scenario};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const BUDGET: Duration = Duration::from_secs(180);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_scenario_with_the_three_tabs_on_three_instances() {
    tokio::time::timeout(BUDGET, async {
        let harness = Harness::start_shared(3).await;
        let [one, two, three] = harness.instances()[..] else { panic!("three instances") };
        let peer1 = harness.open_tab_via(one).await;
        let peer2 = harness.open_tab_via(two).await;
        let peer3 = harness.open_tab_via(three).await;
        reference_scenario([&peer1, &peer2, &peer3], json!({})).await;
        harness.close().await;
    })
    .await
    .expect("the scenario finishes in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_of_a_killed_instance_comes_back_on_another_as_itself() {
    tokio::time::timeout(BUDGET, async {
        let harness = Harness::start_shared(2).await;
        let [first, second] = harness.instances()[..] else { panic!("two instances") };
        // The balancer sends connections to the second instance while it lives.
        let balancer = Balancer::start(vec![second, first]).await;
        let host = harness.open_tab_via(first).await;
        let mover = harness.open_tab_via(balancer.addr).await;
        let host_id = host.join_peer("moving", "Host").await;
        let mover_id = mover.join_peer("moving", "Mover").await;
        host.wait_until("window.peer.peers().length == 1", "window.peer.peers()").await;
        host.eval(&format!("await window.peer.connect({});", json!(mover_id))).await;
        mover.wait_until("window.events.includes('Connected:Host')", "window.events").await;

        harness.kill_instance(1);
        let killed = Instant::now();
        mover.wait_until("window.signaling.includes('reconnecting')", "window.signaling").await;
        let back = "window.signaling.at(-1) == 'connected'";
        mover.wait_until(back, "window.signaling").await;
        println!("the mover was back, on the other instance, after {:.2?}", killed.elapsed());
        assert_eq!(mover.eval("return window.peer.id;").await, json!(mover_id), "same id");

        // Its channel never noticed; the host never saw it leave.
        assert_eq!(mover.eval("return window.peer.sendMessage('still here');").await, json!(1));
        host.wait_until("window.inbox.length == 1", "window.inbox").await;
        // Past the dead instance's liveness TTL and sweep (3 s + 1 s): still no leave.
        tokio::time::sleep(Duration::from_secs(5)).await;
        let events = host.eval("return window.events;").await;
        assert_eq!(events, json!(["PeerJoined:Mover", "Connected:Mover"]), "{events}");

        // Signaling works through its new instance: a newcomer there connects to it.
        let newcomer = harness.open_tab_via(first).await;
        newcomer.join_peer("moving", "Newcomer").await;
        newcomer.wait_until("window.peer.peers().length == 2", "window.peer.peers()").await;
        newcomer.eval(&format!("await window.peer.connect({});", json!(mover_id))).await;
        let sent = mover.eval("return window.peer.sendMessage('hello both');").await;
        assert_eq!(sent, json!(2));
        let said = newcomer.eval("return window.inbox.map((m) => m.data);").await;
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut said: Value = said;
        while said != json!(["hello both"]) && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
            said = newcomer.eval("return window.inbox.map((m) => m.data);").await;
        }
        assert_eq!(said, json!(["hello both"]));
        let _ = host_id;
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}
