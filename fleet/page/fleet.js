// The fleet page: connects to mosquitto's WebSocket listener with the
// administrator's account, subscribes to every unit's presence, status,
// replies and screenshot (docs/fleet.md "Topics and messages"), and keeps a
// live table: the same columns as `kiosk fleet list`. Commands go to
// kiosk/cmd/unit/<name>, kiosk/cmd/tag/<tag> or kiosk/cmd/all.
//
// Everything a unit sends is untrusted text: it is only ever put in the page
// with textContent, never as HTML. Screenshots are shown from blob: URLs of
// the retained PNG bytes. Nothing is stored (no cookies, no localStorage).
"use strict";

(function () {
  const PREFIX = "kiosk";
  const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

  // name -> { name, presence, status, offlineSeenAt, screenshotUrl,
  //           screenshotAt, reply }
  const units = new Map();
  let client = null;

  const $ = (id) => document.getElementById(id);

  function rfc3339(date) {
    return date.toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  function ago(iso) {
    const t = Date.parse(iso);
    if (Number.isNaN(t)) return "";
    const s = Math.round((Date.now() - t) / 1000);
    if (s < 0) return "in the future";
    if (s < 60) return s + " s ago";
    if (s < 3600) return Math.floor(s / 60) + " min ago";
    if (s < 86400) return Math.floor(s / 3600) + " h ago";
    const d = Math.floor(s / 86400);
    return d + (d === 1 ? " day ago" : " days ago");
  }

  function unit(name) {
    if (!units.has(name)) {
      units.set(name, { name, presence: null, status: null, offlineSeenAt: null,
                        screenshotUrl: null, screenshotAt: null, reply: null, error: null });
    }
    return units.get(name);
  }

  function parseJson(text, topic, u) {
    try {
      const value = JSON.parse(text);
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new Error("expected a JSON object");
      }
      u.error = null;
      return value;
    } catch (e) {
      u.error = topic + ": " + e.message;
      return null;
    }
  }

  function onMessage(topic, payload, packet) {
    const parts = topic.split("/");
    if (parts.length !== 4 || parts[0] !== PREFIX || parts[1] !== "unit" || !NAME.test(parts[2])) return;
    const name = parts[2], kind = parts[3];
    const u = unit(name);
    if (kind === "screenshot") {
      if (payload.length === 0) return;
      if (u.screenshotUrl) URL.revokeObjectURL(u.screenshotUrl);
      u.screenshotUrl = URL.createObjectURL(new Blob([payload], { type: "image/png" }));
      u.screenshotAt = packet.retain ? null : rfc3339(new Date());
      scheduleRender();
      return;
    }
    const text = new TextDecoder().decode(payload);
    if (kind === "presence") {
      if (text === "") { u.presence = null; scheduleRender(); return; }
      const p = parseJson(text, topic, u);
      if (p && typeof p.online === "boolean") {
        const wasOnline = u.presence && u.presence.online;
        // A unit this page saw go: offline since that moment (the last will
        // carries no time). Otherwise its own "since", or its last status.
        if (!p.online && wasOnline && !packet.retain) u.offlineSeenAt = rfc3339(new Date());
        if (p.online) u.offlineSeenAt = null;
        u.presence = p;
      }
    } else if (kind === "status") {
      if (text === "") { u.status = null; scheduleRender(); return; }
      const s = parseJson(text, topic, u);
      if (s) u.status = s;
    } else if (kind === "reply") {
      const r = parseJson(text, topic, u);
      if (r) {
        u.reply = r;
        const li = document.createElement("li");
        li.textContent = (r.at || rfc3339(new Date())) + " " + name + ": " + (r.command || "?") +
          " " + (r.result || "?") + (r.message ? ": " + r.message : "") + " (id " + (r.id || "?") + ")";
        $("log").prepend(li);
      }
    } else {
      return;
    }
    scheduleRender();
  }

  // At most one redraw per 100 ms: at connect a large fleet's retained
  // messages arrive in a burst (two per unit), and redrawing the table for
  // each would be quadratic.
  let renderTimer = null;
  function scheduleRender() {
    if (renderTimer !== null) return;
    renderTimer = setTimeout(() => { renderTimer = null; render(); }, 100);
  }

  function stateOf(u) {
    const p = u.presence;
    if (!p) return { text: "unknown", cls: "" };
    if (p.online) return { text: "online since " + (p.since || "?") + (p.since ? " (" + ago(p.since) + ")" : ""), cls: "online" };
    let text = "OFFLINE";
    if (u.offlineSeenAt) text += " since " + u.offlineSeenAt + " (" + ago(u.offlineSeenAt) + ")";
    else if (p.since) text += " since " + p.since;
    else if (u.status && u.status.sent_at) text += ", last seen " + u.status.sent_at;
    if (p.reason) text += " (" + p.reason + ")";
    return { text, cls: "offline" };
  }

  function cells(u) {
    const st = (u.status && u.status.status) || {};
    const shown = st.shown || null;
    let shownText = "-";
    if (shown && shown.version != null) {
      shownText = "v" + shown.version + (shown.source && shown.source !== "network" ? " (" + shown.source + ")" : "");
    } else if (shown && shown.source) {
      shownText = shown.source;
    }
    const stale = u.status ? (st.stale ? "STALE" + (Array.isArray(st.stale_reasons) && st.stale_reasons.length ? ": " + st.stale_reasons.join("; ") : "") : "no") : "-";
    const check = st.last_check ? st.last_check + " " + (st.last_check_result || "") : "-";
    let error = st.last_error && st.last_error.reason ? st.last_error.time + " " + st.last_error.reason : "-";
    if (Array.isArray(st.problems) && st.problems.length) error += " [" + st.problems.length + " problem(s): " + st.problems[0] + "]";
    if (u.error) error = "unreadable message: " + u.error;
    const d = st.display || null;
    const display = d && d.state ? d.state + (d.state === "showing" && d.width ? " " + d.width + "x" + d.height : "") : "-";
    const reply = u.reply ? (u.reply.command || "") + " " + (u.reply.result || "") + (u.reply.message ? ": " + u.reply.message : "") : "-";
    return { shownText, published: (shown && shown.published) || "-", stale, check, error, display, reply };
  }

  function tagsOf(u) {
    return (u.status && Array.isArray(u.status.tags)) ? u.status.tags.filter((t) => typeof t === "string") : [];
  }

  // A cell of text in which RFC 3339 times never break at their hyphens.
  function td(text, cls) {
    const cell = document.createElement("td");
    const times = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g;
    let at = 0;
    for (const m of text.matchAll(times)) {
      cell.append(text.slice(at, m.index));
      const span = document.createElement("span");
      span.className = "time";
      span.textContent = m[0];
      cell.append(span);
      at = m.index + m[0].length;
    }
    cell.append(text.slice(at));
    if (cls) cell.className = cls;
    return cell;
  }

  function render() {
    const tag = $("tag").value;
    // Tag list.
    const allTags = new Set();
    for (const u of units.values()) tagsOf(u).forEach((t) => allTags.add(t));
    const select = $("tag");
    const have = new Set(Array.from(select.options).map((o) => o.value));
    for (const t of Array.from(allTags).sort()) {
      if (!have.has(t) && NAME.test(t)) {
        const o = document.createElement("option");
        o.value = t;
        o.textContent = "tag " + t;
        select.appendChild(o);
      }
    }
    const body = $("units").tBodies[0];
    const rows = [];
    let online = 0, shownCount = 0;
    for (const name of Array.from(units.keys()).sort()) {
      const u = units.get(name);
      if (!u.presence && !u.status) continue;
      if (tag && !tagsOf(u).includes(tag)) continue;
      shownCount++;
      const state = stateOf(u);
      if (state.cls === "online") online++;
      const c = cells(u);
      const tr = document.createElement("tr");
      tr.dataset.unit = name;
      tr.className = state.cls;
      tr.append(td(name, "unit"), td(state.text, "state " + state.cls), td(c.shownText, "shown"),
                td(c.published, "published"), td(c.stale, "stale" + (c.stale.startsWith("STALE") ? " yes" : "")),
                td(c.check, "check"), td(c.error, "error" + (c.error !== "-" ? " yes" : "")),
                td(c.display, "display"), td(c.reply, "reply"));
      const shot = document.createElement("td");
      shot.className = "screenshot";
      if (u.screenshotUrl) {
        const img = document.createElement("img");
        img.src = u.screenshotUrl;
        img.alt = "screenshot of " + name + (u.screenshotAt ? " at " + u.screenshotAt : " (retained)");
        img.title = img.alt;
        shot.appendChild(img);
      } else {
        shot.textContent = "-";
      }
      tr.appendChild(shot);
      const actions = document.createElement("td");
      actions.className = "actions";
      for (const command of ["check-now", "screenshot"]) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = command;
        b.textContent = command === "check-now" ? "Check now" : "Screenshot";
        b.addEventListener("click", () => send(command, { unit: name }));
        actions.appendChild(b);
      }
      tr.appendChild(actions);
      rows.push(tr);
    }
    body.replaceChildren(...rows);
    $("summary").textContent = shownCount + " unit" + (shownCount === 1 ? "" : "s") + ", " + online + " online";
    $("check-tag").textContent = tag ? "Check now: tag " + tag : "Check now: all units";
  }

  function commandId() {
    const bytes = new Uint8Array(8);
    crypto.getRandomValues(bytes);
    return "page-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // target: { unit } or { tag } or {} (all).
  function send(command, target) {
    if (!client) return;
    const id = commandId();
    const message = { command, id };
    let topic = PREFIX + "/cmd/all";
    if (target.unit) { topic = PREFIX + "/cmd/unit/" + target.unit; message.unit = target.unit; }
    else if (target.tag) topic = PREFIX + "/cmd/tag/" + target.tag;
    client.publish(topic, JSON.stringify(message), { qos: 1, retain: false }, (err) => {
      const li = document.createElement("li");
      li.textContent = rfc3339(new Date()) + " sent " + command + " to " + topic + " (id " + id + ")" +
        (err ? ": FAILED: " + err.message : "");
      $("log").prepend(li);
    });
  }

  function setConnection(text) { $("connection").textContent = text; }

  function connect(event) {
    event.preventDefault();
    const url = $("broker").value.trim();
    const username = $("username").value;
    const password = $("password").value;
    $("login-error").textContent = "";
    if (!/^wss?:\/\//.test(url)) {
      $("login-error").textContent = "The broker URL must start with wss:// (or ws:// on this machine), e.g. wss://fleet.example.org:8884";
      return;
    }
    if (url.startsWith("ws://") && !/^ws:\/\/(localhost|127\.[0-9.]+|\[::1\])(:|\/|$)/.test(url)) {
      $("login-error").textContent = "ws:// would send the password in the clear: use wss://";
      return;
    }
    setConnection("connecting to " + url + " ...");
    $("connect").disabled = true;
    const c = mqtt.connect(url, {
      username, password, protocolVersion: 4, clean: true,
      clientId: "kiosk-page-" + commandId().slice(5), reconnectPeriod: 5000, connectTimeout: 10000,
    });
    let everConnected = false;
    c.on("connect", () => {
      everConnected = true;
      client = c;
      $("password").value = "";
      $("login").hidden = true;
      $("fleet").hidden = false;
      setConnection("connected to " + url + " as " + username);
      c.subscribe([PREFIX + "/unit/+/presence", PREFIX + "/unit/+/status", PREFIX + "/unit/+/reply",
                   PREFIX + "/unit/+/screenshot"], { qos: 1 }, (err, granted) => {
        if (err || (granted || []).some((g) => g.qos === 128)) {
          setConnection("connected, but this account may not read kiosk/unit/# (see the ACL)");
        }
      });
      render();
    });
    c.on("message", onMessage);
    c.on("reconnect", () => setConnection("reconnecting to " + url + " ..."));
    c.on("offline", () => setConnection("broker unreachable: " + url + " (retrying every 5 s)"));
    c.on("error", (err) => {
      const text = /Not authorized|Bad username or password|code 5|code 4/i.test(String(err && err.message))
        ? "Not authorised: the broker refused " + username + " (wrong username or password)"
        : "Cannot connect to " + url + ": " + (err && err.message ? err.message : err);
      if (!everConnected) {
        c.end(true);
        $("login-error").textContent = text;
        $("connect").disabled = false;
        setConnection("not connected");
      } else {
        setConnection(text);
      }
    });
    // No answer at all (nothing listening, TLS refused): mqtt.js keeps
    // retrying; the login form says so.
    setTimeout(() => {
      if (!everConnected && !$("login-error").textContent) {
        c.end(true);
        $("login-error").textContent = "Broker unreachable: no MQTT answer from " + url + " in 10 s";
        $("connect").disabled = false;
        setConnection("not connected");
      }
    }, 10000);
  }

  function disconnect() {
    if (client) client.end(true);
    client = null;
    for (const u of units.values()) if (u.screenshotUrl) URL.revokeObjectURL(u.screenshotUrl);
    units.clear();
    $("units").tBodies[0].replaceChildren();
    $("log").replaceChildren();
    $("fleet").hidden = true;
    $("login").hidden = false;
    $("connect").disabled = false;
    setConnection("not connected");
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("login").addEventListener("submit", connect);
    $("disconnect").addEventListener("click", disconnect);
    $("tag").addEventListener("change", render);
    $("check-tag").addEventListener("click", () => {
      const tag = $("tag").value;
      send("check-now", tag ? { tag } : {});
    });
    // "5 min ago" keeps moving.
    setInterval(() => { if (client) render(); }, 10000);
  });
})();
