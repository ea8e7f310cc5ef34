//! Room rules under concurrent joins on two instances: whatever the
//! interleaving, a room never holds more than its cap, and never two secrets: every join
//! admitted presented the secret of the first, and every refusal says why.

mod common;

use common::Server;
use futures_util::future::join_all;
use proptest::prelude::*;
use proptest::test_runner::{Config as Cases, TestRunner};
use signaling_protocol::{ErrorCode, ServerMessage};
use signaling_server::Config;
use signaling_server::testing::RedisProcess;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One join of a case: on which instance, presenting which secret (if any).
#[derive(Clone, Debug)]
struct Join {
    instance: usize,
    secret: Option<&'static str>,
}

fn joins() -> impl Strategy<Value = Vec<Join>> {
    let secret = prop_oneof![Just(None), Just(Some("red")), Just(Some("blue"))];
    prop::collection::vec(
        (0..2usize, secret).prop_map(|(instance, secret)| Join { instance, secret }),
        1..12,
    )
}

#[test]
fn concurrent_joins_on_two_instances_never_pass_the_cap_nor_split_the_secret() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let redis = RedisProcess::start();
    let cap = 4;
    let config =
        Config { max_peers_per_room: cap, messages_per_second: 10_000, ..Config::default() };
    let servers = runtime.block_on(async {
        [
            Server::shared(&redis.url(), config.clone()).await,
            Server::shared(&redis.url(), config).await,
        ]
    });
    let rooms = AtomicUsize::new(0);
    let mut runner = TestRunner::new(Cases { cases: 24, ..Cases::default() });
    let outcome = runner.run(&joins(), |joins| {
        let room = format!("race-{}", rooms.fetch_add(1, Ordering::Relaxed));
        let answers = runtime.block_on(async {
            let mut clients = Vec::new();
            for join in &joins {
                clients.push(servers[join.instance].client().await);
            }
            // Every join sent before any answer is read: they race in Redis.
            let sends = clients.iter_mut().zip(&joins).enumerate().map(|(n, (client, join))| {
                let room = room.clone();
                async move {
                    client.send_join(&room, &format!("P{n}"), join.secret).await;
                    client.recv().await
                }
            });
            let answers = join_all(sends).await;
            drop(clients);
            answers
        });
        let mut admitted_secrets = Vec::new();
        for (answer, join) in answers.iter().zip(&joins) {
            match answer {
                ServerMessage::Welcome { .. } => admitted_secrets.push(join.secret),
                ServerMessage::Error {
                    code: ErrorCode::RoomFull | ErrorCode::WrongSecret, ..
                } => {}
                other => prop_assert!(false, "unexpected answer {other:?}"),
            }
        }
        prop_assert!(admitted_secrets.len() <= cap, "{} admitted", admitted_secrets.len());
        prop_assert!(!admitted_secrets.is_empty(), "the first join is always admitted");
        prop_assert!(
            admitted_secrets.iter().all(|secret| *secret == admitted_secrets[0]),
            "two secrets admitted: {admitted_secrets:?}"
        );
        // Every refusal was right: room_full only once full, wrong_secret only for another.
        for (answer, join) in answers.iter().zip(&joins) {
            if let ServerMessage::Error { code, .. } = answer {
                match code {
                    ErrorCode::WrongSecret => prop_assert_ne!(join.secret, admitted_secrets[0]),
                    _ => prop_assert_eq!(admitted_secrets.len(), cap),
                }
            }
        }
        Ok(())
    });
    runtime.block_on(async {
        for server in servers {
            server.stop().await;
        }
    });
    outcome.unwrap_or_else(|failure| panic!("{failure}"));
}
