// The Cascade console: one page, no dependencies. The session is an HttpOnly cookie the page
// never sees; the CSRF token lives in this module's memory only and is fetched again on reload.
const api = "/console/api";
let session = null;
let live = null;
let nextCursor = null;

const $ = (id) => document.getElementById(id);
const text = (value) => (value === null || value === undefined ? "–" : String(value));

async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && session) headers["X-CSRF-Token"] = session.csrfToken;
  const response = await fetch(api + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error(problemText(data) || response.statusText);
    error.status = response.status;
    throw error;
  }
  return data;
}

function problemText(problem) {
  if (!problem) return "";
  const fields = (problem.errors || []).map((e) => `${e.field}: ${e.message}`).join("; ");
  return [problem.detail || problem.title, fields].filter(Boolean).join(" — ");
}

function show(id) {
  for (const section of document.querySelectorAll("main > section")) {
    section.hidden = section.id !== id;
  }
  $("nav").hidden = !session;
  for (const link of document.querySelectorAll(".tenant-only")) {
    link.hidden = !session || session.role !== "TENANT";
  }
  for (const link of document.querySelectorAll(".operator-only")) {
    link.hidden = !session || session.role !== "OPERATOR";
  }
  $("main").focus();
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const cell of cells) {
    const td = document.createElement("td");
    if (cell instanceof Node) td.append(cell);
    else td.textContent = text(cell);
    tr.append(td);
  }
  return tr;
}

function seconds(value) {
  return value === null || value === undefined ? "–" : `${value.toFixed(2)} s`;
}

function time(value) {
  return value ? new Date(value).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z") : "–";
}

// To the millisecond: a whole cascade often happens within one second.
function preciseTime(value) {
  return value ? new Date(value).toISOString().replace("T", " ") : "–";
}

// --- sign-in ------------------------------------------------------------------------------

async function signIn(event) {
  event.preventDefault();
  const form = event.target;
  const secret = form.secret.value.trim();
  const body = form.role.value === "tenant" ? { apiKey: secret } : { operatorToken: secret };
  $("sign-in-error").textContent = "";
  try {
    session = await call("POST", "/session", body);
    form.secret.value = "";
    location.hash = session.role === "TENANT" ? "#/" : "#/operator";
    route();
  } catch (error) {
    $("sign-in-error").textContent = error.message;
  }
}

async function signOut() {
  stopLive();
  try {
    await call("DELETE", "/session");
  } finally {
    session = null;
    location.hash = "#/";
    route();
  }
}

// --- overview -----------------------------------------------------------------------------

function startLive() {
  if (live) return;
  live = new EventSource(api + "/tenant/live");
  live.onmessage = (event) => render(JSON.parse(event.data));
  live.onopen = () => ($("live-state").textContent = "live");
  live.onerror = () => ($("live-state").textContent = "reconnecting…");
}

function startOperatorLive() {
  if (live) return;
  live = new EventSource(api + "/operator/live");
  live.onmessage = (event) => renderOperator(JSON.parse(event.data));
  live.onopen = () => ($("operator-live").textContent = "live");
  live.onerror = () => ($("operator-live").textContent = "reconnecting…");
}

function renderOperator(figures) {
  $("op-providers").tBodies[0].replaceChildren(
    ...figures.providers.map((p) => {
      const tr = row([
        p.channel,
        p.provider,
        p.standby,
        p.circuit,
        p.down ? "down" : "up",
        p.attempts,
        p.attempts ? `${Math.round((100 * p.errors) / p.attempts)} %` : "–",
        seconds(p.medianSeconds),
        seconds(p.p95Seconds),
      ]);
      tr.dataset.provider = `${p.channel}/${p.provider}`;
      if (p.circuit !== "closed" || p.down) tr.className = "alarm";
      return tr;
    }),
  );
  const b = figures.broker;
  $("op-broker").textContent =
    `publisher ${b.publisherConnected ? `connected to ${b.publisherNode}` : "disconnected"}; ` +
    `${b.consumersSubscribed} of ${b.consumers} dispatch consumers subscribed, ` +
    `${b.unacknowledged} deliveries unacknowledged; ${b.reconnects} reconnects since start`;
  const ms = (value) => (value === null || value === undefined ? "–" : `${value.toFixed(1)} ms`);
  $("op-broker-detail").replaceChildren(
    ...b.nodes.map((n) => {
      const tr = row([`node ${n.address}`, n.reachable ? "reachable" : "unreachable"]);
      if (!n.reachable) tr.className = "alarm";
      return tr;
    }),
    ...Object.entries(b.ready).map(([queue, n]) => row([`ready on the ${queue} queue`, n])),
    row(["confirm latency, median / p99", `${ms(b.confirmMedianMs)} / ${ms(b.confirmP99Ms)}`]),
  );
  $("op-incidents").tBodies[0].replaceChildren(
    ...figures.incidents.map((i) => {
      const tr = row([
        i.kind.toLowerCase().replace("_", " "),
        time(i.startedAt),
        i.endedAt ? seconds(i.seconds) : "ongoing",
        i.cause,
        i.recovery,
        i.replica,
      ]);
      if (!i.endedAt) tr.className = "alarm";
      return tr;
    }),
  );
  $("op-backlogs").tBodies[0].replaceChildren(
    ...figures.backlogs.map((l) => row([l.name, l.count, time(l.oldest)])),
  );
  $("op-tenants").tBodies[0].replaceChildren(
    ...figures.tenants.map((t) =>
      row([t.name, t.accepted, t.delivered, t.failed, t.expired, t.open]),
    ),
  );
}

async function loadSimulators() {
  const settings = await call("GET", "/operator/simulators");
  const channels = Object.keys(settings);
  $("op-simulators").hidden = channels.length === 0;
  $("op-simulators").querySelector("tbody").replaceChildren(
    ...channels.map((channel) => {
      const mode = document.createElement("select");
      mode.name = "mode";
      mode.setAttribute("aria-label", `${channel} simulator answers`);
      for (const option of ["ok", "fail", "timeout", "reject"]) {
        mode.append(new Option(option, option, false, option === settings[channel].mode));
      }
      const latency = document.createElement("input");
      latency.type = "number";
      latency.min = "0";
      latency.max = "60000";
      latency.value = String(settings[channel].latencyMs);
      latency.setAttribute("aria-label", `${channel} simulator delay in milliseconds`);
      const apply = document.createElement("button");
      apply.type = "button";
      apply.textContent = `Apply to ${channel}`;
      apply.addEventListener("click", async () => {
        try {
          await call("PUT", `/operator/simulators/${channel}`, {
            mode: mode.value,
            latencyMs: Number(latency.value),
          });
          $("op-simulators-result").textContent = `${channel} now answers ${mode.value}`;
        } catch (error) {
          $("op-simulators-result").textContent = error.message;
        }
      });
      const tr = row([channel, mode, latency, apply]);
      tr.dataset.simulator = channel;
      return tr;
    }),
  );
}

function stopLive() {
  if (live) live.close();
  live = null;
}

function render(figures) {
  $("n-accepted").textContent = figures.accepted;
  $("n-delivered").textContent = figures.delivered;
  $("n-failed").textContent = figures.failed;
  $("n-expired").textContent = figures.expired;
  $("n-doubles").textContent = figures.doubleDeliveries;
  chart(figures.perMinute);
  const providers = $("providers").tBodies[0];
  providers.replaceChildren(
    ...figures.providers.map((p) =>
      row([
        p.channel,
        p.provider,
        p.attempts,
        p.delivered,
        p.attempts ? `${Math.round((100 * p.delivered) / p.attempts)} %` : "–",
        seconds(p.medianSeconds),
        seconds(p.p95Seconds),
      ]),
    ),
  );
  $("failovers").tBodies[0].replaceChildren(
    ...figures.failovers.map((f) => row([f.channel, f.reason, f.count])),
  );
  const hooks = figures.webhooks;
  $("webhooks").textContent =
    `${hooks.pending} pending (${hooks.retrying} retrying), ${hooks.failed} given up in the last hour` +
    (hooks.oldestPending ? `; oldest pending since ${time(hooks.oldestPending)}` : "");
  $("webhook-errors").replaceChildren(
    ...hooks.errors.map((e) => {
      const li = document.createElement("li");
      li.textContent = `${e.count} × ${e.error} (last ${time(e.lastAt)})`;
      return li;
    }),
  );
}

function chart(minutes) {
  bars($("chart"), minutes.map((m) => ({
    outline: m.accepted,
    filled: m.delivered,
    title: `${time(m.minute)}: ${m.accepted} accepted, ${m.delivered} delivered`,
  })));
}

// One outlined and one filled bar per period, scaled to the largest.
function bars(svg, periods) {
  const ns = "http://www.w3.org/2000/svg";
  const max = Math.max(1, ...periods.map((p) => Math.max(p.outline, p.filled)));
  const width = 600 / Math.max(1, periods.length);
  svg.replaceChildren();
  periods.forEach((p, i) => {
    for (const [value, cls] of [[p.outline, "accepted"], [p.filled, "delivered"]]) {
      const bar = document.createElementNS(ns, "rect");
      const height = (110 * value) / max;
      bar.setAttribute("x", String(i * width + 1));
      bar.setAttribute("y", String(115 - height));
      bar.setAttribute("width", String(Math.max(1, width - 2)));
      bar.setAttribute("height", String(height));
      bar.setAttribute("class", cls);
      const title = document.createElementNS(ns, "title");
      title.textContent = p.title;
      bar.append(title);
      svg.append(bar);
    }
  });
}

// --- analytics ----------------------------------------------------------------------------

function percent(rate) {
  return rate === null || rate === undefined ? "–" : `${(100 * rate).toFixed(1)} %`;
}

async function analytics() {
  const span = new FormData($("window-form")).get("window");
  const scope = session.role === "TENANT" ? "/tenant" : "/operator";
  $("analytics-error").textContent = "";
  try {
    const report = await call("GET", `${scope}/analytics?window=${encodeURIComponent(span)}`);
    $("analytics-note").textContent =
      `Attempts started ${time(report.from)} to ${time(report.until)}` +
      (session.role === "TENANT" ? "" : ", all tenants") +
      "; time to deliver runs from accept to delivered (median and p95 estimated from buckets).";
    // Per hour, a chart of the last hour would be one bar.
    $("hours-figure").hidden = report.window === "1h";
    bars($("hours-chart"), report.perHour.map((h) => ({
      outline: h.attempts,
      filled: h.delivered,
      title: `${time(h.hour)}: ${h.attempts} attempts, ${h.delivered} delivered (${percent(h.deliveryRate)})`,
    })));
    $("analytics-providers").tBodies[0].replaceChildren(
      ...report.providers.map((p) =>
        row([
          p.channel,
          p.provider,
          p.attempts,
          p.delivered,
          p.failed,
          percent(p.deliveryRate),
          seconds(p.medianSeconds),
          seconds(p.p95Seconds),
        ]),
      ),
    );
    if (!report.providers.length) $("analytics-note").textContent += " No attempts in this window.";
  } catch (error) {
    $("analytics-error").textContent = error.message;
  }
}

// --- messages -----------------------------------------------------------------------------

async function search(event, more) {
  if (event) event.preventDefault();
  const params = new URLSearchParams();
  for (const [name, value] of new FormData($("search-form"))) {
    if (value.trim()) params.set(name, value.trim());
  }
  const exported = new URLSearchParams(params);
  if (more && nextCursor) params.set("cursor", nextCursor);
  $("search-error").textContent = "";
  try {
    const page = await call("GET", "/tenant/messages?" + params);
    const body = $("results").tBodies[0];
    if (!more) body.replaceChildren();
    for (const m of page.items) {
      const link = document.createElement("a");
      link.href = `#/messages/${m.id}`;
      link.textContent = m.id;
      const route = m.route.map((step) => step.channel).join(" → ");
      body.append(row([link, m.status, m.priority, route, m.reference, time(m.createdAt)]));
    }
    nextCursor = page.nextCursor;
    $("more").hidden = !nextCursor;
    $("export").href = `${api}/tenant/messages.csv?${exported}`;
    $("export").hidden = false;
  } catch (error) {
    $("search-error").textContent = error.message;
  }
}

async function sendTest(event) {
  event.preventDefault();
  const form = event.target;
  const route = [{ channel: form.channel.value, to: form.to.value.trim() }];
  if (form.then.value && form.thenTo.value.trim()) {
    route.push({ channel: form.then.value, to: form.thenTo.value.trim() });
  }
  try {
    const message = await call("POST", "/tenant/messages", { route, text: form.text.value });
    const link = document.createElement("a");
    link.href = `#/messages/${message.id}`;
    link.textContent = message.id;
    $("test-result").replaceChildren("Accepted: ", link);
  } catch (error) {
    $("test-result").textContent = error.message;
  }
}

async function timeline(id) {
  show("timeline");
  $("timeline-error").textContent = "";
  $("timeline-summary").replaceChildren();
  $("timeline-entries").replaceChildren();
  try {
    const view = await call("GET", "/tenant/messages/" + encodeURIComponent(id));
    const m = view.message;
    $("timeline-title").textContent = `Message ${m.id}`;
    const summary = [
      ["Status", m.status],
      ["Delivered via", m.deliveredVia.join(", ") || "–"],
      ["Route", m.steps.map((s) => `${s.channel} (${s.outcome}${s.reason ? ", " + s.reason : ""})`).join(" → ")],
      ["Priority", m.priority],
      ["Accepted", time(m.createdAt)],
      ["Valid until", time(m.validUntil)],
    ];
    for (const [term, value] of summary) {
      const dt = document.createElement("dt");
      dt.textContent = term;
      const dd = document.createElement("dd");
      dd.textContent = value;
      $("timeline-summary").append(dt, dd);
    }
    for (const e of view.timeline) {
      const li = document.createElement("li");
      li.className = `entry ${e.kind}`;
      const where = [e.step === null ? null : `step ${e.step + 1}`, e.channel, e.provider]
        .filter(Boolean)
        .join(" · ");
      const why = [e.reason ? `moved on: ${e.reason}` : null, e.detail].filter(Boolean).join(" — ");
      li.textContent = `${preciseTime(e.at)}  ${e.kind}: ${e.status}${where ? " (" + where + ")" : ""}${why ? " " + why : ""}`;
      $("timeline-entries").append(li);
    }
  } catch (error) {
    $("timeline-title").textContent = "Message";
    $("timeline-error").textContent = error.message;
  }
}

// --- routing ------------------------------------------------------------------------------

async function route() {
  if (!session) {
    try {
      session = await call("GET", "/session");
    } catch (error) {
      session = null;
    }
  }
  if (!session) {
    stopLive();
    show("sign-in");
    return;
  }
  $("who").textContent =
    session.role === "TENANT" ? `tenant ${session.tenantId}` : "operator";
  const hash = location.hash || "#/";
  if (hash === "#/analytics") {
    stopLive();
    show("analytics");
    analytics();
    return;
  }
  if (session.role === "OPERATOR") {
    show("operator");
    startOperatorLive();
    loadSimulators().catch((error) => ($("op-simulators-result").textContent = error.message));
    return;
  }
  const message = hash.match(/^#\/messages\/(.+)$/);
  if (message) {
    timeline(decodeURIComponent(message[1]));
  } else if (hash === "#/messages") {
    show("messages");
  } else {
    show("overview");
  }
  startLive();
}

$("sign-in-form").addEventListener("submit", signIn);
$("sign-out").addEventListener("click", signOut);
$("search-form").addEventListener("submit", (event) => search(event, false));
$("more").addEventListener("click", () => search(null, true));
$("test-form").addEventListener("submit", sendTest);
$("window-form").addEventListener("change", analytics);
window.addEventListener("hashchange", route);
route();
