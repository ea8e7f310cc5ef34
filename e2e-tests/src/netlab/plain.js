// A bare RTCPeerConnection for the network lab (see plain.rs): the baseline the library
// is compared with. Installed in both tabs; the test process carries `out` across.
window.plainSetup = async (role, urls, secret, policy) => {
  if (window.plain) window.plain.pc.close();
  const servers = [];
  const stun = urls.filter((url) => url.startsWith('stun:'));
  const turn = urls.filter((url) => url.startsWith('turn:'));
  if (stun.length) servers.push({ urls: stun });
  if (turn.length) {
    // The TURN REST scheme, as the signaling server mints credentials.
    const username = Math.floor(Date.now() / 1000 + 3600) + ':plain';
    const text = new TextEncoder();
    const key = await crypto.subtle.importKey('raw', text.encode(secret),
      { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, text.encode(username)));
    servers.push({ urls: turn, username, credential: btoa(String.fromCharCode(...mac)) });
  }
  const pc = new RTCPeerConnection({ iceServers: servers, iceTransportPolicy: policy });
  const p = window.plain = { pc, out: [], dc: null, openMs: null, failed: null,
                             t0: performance.now(), got: 0, expect: 0, waiting: null };
  pc.onicecandidate = (e) => { if (e.candidate) p.out.push({ candidate: e.candidate.toJSON() }); };
  pc.onconnectionstatechange = () => {
    if (pc.connectionState === 'failed') p.failed = 'ICE failed';
  };
  const ready = (dc) => {
    p.dc = dc;
    dc.binaryType = 'arraybuffer';
    dc.onopen = () => { p.openMs = performance.now() - p.t0; };
    dc.onmessage = (e) => window.plainOnMessage(e.data);
  };
  if (role === 'offerer') {
    ready(pc.createDataChannel('plain'));
    await pc.setLocalDescription();
    p.out.push({ sdp: pc.localDescription.toJSON() });
  } else {
    pc.ondatachannel = (e) => ready(e.channel);
  }
};

window.plainTake = async (items) => {
  const p = window.plain;
  // Descriptions before candidates: a candidate needs its remote description.
  for (const item of items.filter((item) => item.sdp)) {
    await p.pc.setRemoteDescription(item.sdp);
    if (item.sdp.type === 'offer') {
      await p.pc.setLocalDescription();
      p.out.push({ sdp: p.pc.localDescription.toJSON() });
    }
  }
  for (const item of items.filter((item) => item.candidate)) {
    await p.pc.addIceCandidate(item.candidate).catch(() => {});
  }
  if (!p.out.length) await new Promise((done) => setTimeout(done, 10));
  return { out: p.out.splice(0), openMs: p.openMs, failed: p.failed };
};

window.plainOnMessage = (data) => {
  const p = window.plain;
  if (data === 'ping') return p.dc.send('pong');
  if (typeof data === 'string' && data.startsWith('expect:')) {
    p.got = 0; p.expect = Number(data.slice(7));
    return;
  }
  if (data instanceof ArrayBuffer) {
    p.got += data.byteLength;
    if (p.got === p.expect) p.dc.send('got');
    return;
  }
  if (p.waiting) { const done = p.waiting; p.waiting = null; done(data); }
};

const plainReply = () => new Promise((done) => { window.plain.waiting = done; });

window.plainPing = async (n) => {
  const times = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const reply = plainReply();
    window.plain.dc.send('ping');
    await reply;
    times.push(performance.now() - started);
  }
  times.sort((x, y) => x - y);
  return times[Math.floor(times.length / 2)];
};

window.plainSend = async (mib) => {
  const dc = window.plain.dc;
  const chunk = new Uint8Array(65536);
  const total = mib * 1024 * 1024;
  dc.bufferedAmountLowThreshold = 1 << 20;
  const started = performance.now();
  const got = plainReply();
  dc.send('expect:' + total);
  for (let sent = 0; sent < total; sent += chunk.length) {
    if (dc.bufferedAmount > (4 << 20)) {
      await new Promise((done) => { dc.onbufferedamountlow = done; });
    }
    dc.send(chunk);
  }
  await got;
  return total / 1e6 / ((performance.now() - started) / 1000);
};

window.plainPath = async () => {
  const report = await window.plain.pc.getStats();
  let pair = null;
  report.forEach((entry) => {
    if (entry.type === 'transport' && entry.selectedCandidatePairId) {
      pair = report.get(entry.selectedCandidatePairId);
    }
  });
  const local = pair && report.get(pair.localCandidateId);
  return { path: local ? local.candidateType : '', relayProtocol: local && local.relayProtocol || '' };
};
