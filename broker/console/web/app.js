// The Sluice web console: polls the serving broker's /api/* JSON and redraws. Plain DOM, no
// framework. Element ids and data-* attributes are what broker/tests/console_test.cc checks.
"use strict";

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("data-")) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c)));
  return e;
}

async function getJson(url) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 10000);
  try {
    const r = await fetch(url, { signal: abort.signal, cache: "no-store" });
    const body = await r.json();
    if (!r.ok) throw new Error(body.error || r.statusText);
    return body;
  } finally {
    clearTimeout(timer);
  }
}

// Calls `handle(json)` every `ms`, never two requests at once; failures go to the status line.
function poll(url, ms, handle) {
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      handle(await getJson(url));
      setStatus(url, "");
    } catch (e) {
      setStatus(url, `${url}: ${e.message}`);
    } finally {
      busy = false;
    }
  };
  tick();
  setInterval(tick, ms);
}

const problems = new Map();
function setStatus(key, text) {
  if (text) problems.set(key, text); else problems.delete(key);
  const s = $("status");
  s.textContent = problems.size ? [...problems.values()].join("; ") : "connected";
  s.classList.toggle("bad", problems.size > 0);
}

// ---- cluster overview and picture ----
let cluster = null;
let topics = null;

function renderCluster(c) {
  cluster = c;
  const alive = c.brokers.filter((b) => b.alive).length;
  $("summary").textContent =
    `cluster ${c.cluster_id || "?"} · ${alive}/${c.brokers.length} brokers alive · controller ${c.controller >= 0 ? c.controller : "none"} · served by broker ${c.serving_broker}`;
  $("overview").replaceChildren(
    el("div", {}, `ZooKeeper session (broker ${c.serving_broker}): `, el("b", { id: "zk-state" }, c.zookeeper)),
    el("div", {}, "Controller: ", el("b", { id: "controller" }, c.controller >= 0 ? c.controller : "none")));
  const rows = c.brokers.map((b) =>
    el("tr", { "data-broker": b.id, class: b.alive ? "alive" : "dead" },
      el("td", {}, b.id),
      el("td", {}, b.host ? `${b.host}:${b.port}` : "?"),
      el("td", { class: "state" }, b.alive ? "alive" : "dead"),
      el("td", {}, b.controller ? "controller" : "")));
  $("brokers").tBodies[0].replaceChildren(...rows);
  renderPicture();
}

function renderPicture() {
  if (!cluster || !topics) return;
  const cols = new Map();
  for (const b of cluster.brokers) {
    const cls = ["broker-col", b.alive ? "alive" : "dead", b.controller ? "controller" : ""].join(" ").trim();
    cols.set(b.id, el("div", { class: cls, "data-broker": b.id }, el("h3", {}, `Broker ${b.id}`)));
  }
  for (const t of topics.topics) {
    if (t.internal) continue;
    for (const p of t.partitions) {
      for (const r of p.replicas) {
        const col = cols.get(r);
        if (!col) continue;
        const leader = r === p.leader;
        const classes = ["replica", leader ? "leader" : "follower"];
        if (!p.isr.includes(r)) classes.push("out-of-isr");
        if (p.offline_replicas.includes(r)) classes.push("offline");
        col.append(el("span", {
          class: classes.join(" "), "data-topic": t.name, "data-partition": p.partition,
          title: `${t.name}-${p.partition}: ${leader ? "leader" : "follower"}${p.isr.includes(r) ? "" : ", out of ISR"}`,
        }, `${t.name}-${p.partition}`));
      }
    }
  }
  $("picture").replaceChildren(...cols.values());
}

// ---- topics ----
function fmtBytes(n) {
  if (n == null) return "";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${i ? n.toFixed(1) : n} ${units[i]}`;
}

function renderTopics(t) {
  topics = t;
  $("topics-error").textContent = t.error || "";
  const rows = [];
  for (const topic of t.topics) {
    for (const p of topic.partitions) {
      rows.push(el("tr", { "data-topic": topic.name, "data-partition": p.partition },
        el("td", {}, topic.name), el("td", {}, p.partition),
        el("td", { class: "leader" }, p.leader >= 0 ? p.leader : "none"),
        el("td", {}, p.replicas.join(",")), el("td", { class: "isr" }, p.isr.join(",")),
        el("td", {}, p.offline_replicas.join(",")),
        el("td", {}, p.high_watermark == null ? "?" : p.high_watermark),
        el("td", {}, fmtBytes(p.size_bytes))));
    }
  }
  $("topics").tBodies[0].replaceChildren(...rows);
  fillTopicChoices();
  renderPicture();
}

// ---- groups ----
function renderGroups(g) {
  $("groups-error").textContent = [g.error, ...(g.errors || [])].filter(Boolean).join("; ");
  if (!g.groups.length) {
    $("groups").replaceChildren(el("p", {}, "No consumer groups."));
    return;
  }
  $("groups").replaceChildren(...g.groups.map((group) => {
    const members = group.members.map((m) => el("li", {},
      `${m.client_id} (${m.client_host}) `,
      el("small", {}, m.assignment.map((a) => `${a.topic}-${a.partition}`).join(", "))));
    const offsets = el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "Partition"), el("th", {}, "Committed"),
      el("th", {}, "High watermark"), el("th", {}, "Lag"))),
      el("tbody", {}, ...group.offsets.map((o) => el("tr", {}, el("td", {}, `${o.topic}-${o.partition}`),
        el("td", {}, o.committed), el("td", {}, o.high_watermark ?? "?"), el("td", {}, o.lag ?? "?")))));
    return el("div", { class: "group", "data-group": group.group_id },
      el("h3", {}, `${group.group_id} `, el("small", {},
        `${group.state || "?"} · coordinator ${group.coordinator} · lag ${group.lag}`)),
      group.error ? el("div", { class: "error" }, group.error) : "",
      members.length ? el("ul", {}, ...members) : el("div", {}, "no members"),
      offsets);
  }));
}

// ---- throughput chart ----
const series = [
  { key: "bytes_in", label: "bytes in/s", color: "#2f7d32" },
  { key: "bytes_out", label: "bytes out/s", color: "#4a78c2" },
  { key: "messages_in", label: "messages in/s", color: "#e07000" },
];

function renderThroughput(t) {
  $("throughput-broker").textContent = `(broker ${t.broker}, last ${Math.round(t.samples.length * t.interval_ms / 1000)} s)`;
  const canvas = $("throughput");
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height, pad = 30;
  ctx.clearRect(0, 0, w, h);
  ctx.strokeStyle = "#ccc";
  ctx.strokeRect(pad, 5, w - pad - 5, h - pad);
  const samples = t.samples.slice(-300);
  const last = samples[samples.length - 1] || {};
  $("throughput-legend").replaceChildren(...series.map((s) =>
    el("span", { style: `color:${s.color}` }, `${s.label}: ${Math.round(last[s.key] || 0)}`)));
  for (const s of series) {
    const max = Math.max(1, ...samples.map((x) => x[s.key]));
    ctx.strokeStyle = s.color;
    ctx.beginPath();
    samples.forEach((x, i) => {
      const px = pad + (w - pad - 5) * (i + 300 - samples.length) / 299;
      const py = 5 + (h - pad) * (1 - x[s.key] / max);
      if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
    });
    ctx.stroke();
  }
  ctx.fillStyle = "#666";
  ctx.fillText("-5 min", pad, h - 10);
  ctx.fillText("now", w - 30, h - 10);
}

// ---- latest records ----
let recordsChoice = null;

function fillTopicChoices() {
  const sel = $("records-topic");
  const names = topics.topics.map((t) => t.name);
  if (sel.options.length !== names.length || [...sel.options].some((o, i) => o.value !== names[i])) {
    const keep = sel.value;
    sel.replaceChildren(...names.map((n) => el("option", { value: n }, n)));
    if (names.includes(keep)) sel.value = keep;
  }
  fillPartitionChoices();
}

function fillPartitionChoices() {
  const topic = topics.topics.find((t) => t.name === $("records-topic").value);
  const sel = $("records-partition");
  const parts = topic ? topic.partitions.map((p) => String(p.partition)) : [];
  if (sel.options.length !== parts.length) {
    const keep = sel.value;
    sel.replaceChildren(...parts.map((p) => el("option", { value: p }, p)));
    if (parts.includes(keep)) sel.value = keep;
  }
}

async function loadRecords() {
  if (!recordsChoice) return;
  const q = new URLSearchParams(recordsChoice);
  try {
    const r = await getJson(`/api/records?${q}`);
    $("records-error").textContent = r.error || "";
    $("records").tBodies[0].replaceChildren(...r.records.slice().reverse().map((rec) =>
      el("tr", { "data-offset": rec.offset }, el("td", {}, rec.offset),
        el("td", {}, new Date(rec.timestamp).toISOString()),
        el("td", { class: "value" }, rec.key ?? "null"),
        el("td", { class: "value" }, (rec.value ?? "null") + (rec.truncated ? ` … (${rec.value_size} bytes)` : "")))));
  } catch (e) {
    $("records-error").textContent = e.message;
  }
}

$("records-topic").addEventListener("change", fillPartitionChoices);
$("records-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  recordsChoice = { topic: $("records-topic").value, partition: $("records-partition").value, limit: $("records-limit").value };
  loadRecords();
});

poll("/api/cluster", 1000, renderCluster);
poll("/api/topics", 1000, renderTopics);
poll("/api/throughput", 1000, renderThroughput);
poll("/api/groups", 3000, renderGroups);
setInterval(loadRecords, 3000);
