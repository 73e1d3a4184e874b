// The fleet page in a real browser: Debian's chromium, headless, driven by
// playwright-core, against a real mosquitto on 127.0.0.1 with a WebSockets
// listener and three simulated units (mqtt.js clients that follow the
// protocol: retained presence and status, a last will, replies, a retained
// PNG screenshot). Checks: the login refuses a wrong password; the table
// shows every unit; the tag filter; a unit killed goes offline; clicking
// "Check now" reaches the unit (it receives the command) and its reply shows;
// clicking "Screenshot" shows the unit's PNG.
//
// usage: node fleet_page_test.mjs PAGE_DIR [SCREENSHOT_DIR]
// PAGE_DIR: the built page (fleet/page/build PAGE_DIR). SCREENSHOT_DIR: where
// to write fleet-page*.png (default: a temporary directory).
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import mqtt from "mqtt";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const source = path.resolve(here, "..", "..");
const pageDir = path.resolve(process.argv[2] || path.join(source, "fleet", "page"));
const work = fs.mkdtempSync(path.join(os.tmpdir(), "kiosk-fleet-page-"));
const shots = path.resolve(process.argv[3] || work);
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

let failures = 0;
function check(ok, what) {
  console.log((ok ? "ok: " : "FAIL: ") + what);
  if (!ok) failures++;
}

async function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(what, cond, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  check(false, "timed out waiting for " + what);
  return false;
}

// --- the broker -----------------------------------------------------------
const users = { "fleet-admin": "admin-secret", "lobby-1": "pw-1", "lobby-2": "pw-2", "gare-1": "pw-3" };
const port = await freePort();
const wsPort = await freePort();
fs.writeFileSync(path.join(work, "passwd"), Object.entries(users).map(([u, p]) => u + ":" + p + "\n").join(""));
execFileSync("mosquitto_passwd", ["-U", path.join(work, "passwd")]);
fs.writeFileSync(path.join(work, "mosquitto.conf"), [
  "per_listener_settings false", "allow_anonymous false", "persistence false",
  "log_dest file " + path.join(work, "mosquitto.log"), "log_type all",
  "password_file " + path.join(work, "passwd"),
  "acl_file " + path.join(source, "fleet", "mosquitto", "acl"),
  ...(process.getuid && process.getuid() === 0 ? ["user root"] : []),
  "listener " + port + " 127.0.0.1",
  "listener " + wsPort + " 127.0.0.1", "protocol websockets", ""].join("\n"));
const broker = spawn("mosquitto", ["-c", path.join(work, "mosquitto.conf")], { stdio: "ignore" });
const cleanup = [() => broker.kill("SIGKILL")];
await waitFor("mosquitto to listen", () => new Promise((resolve) => {
  const s = net.connect(wsPort, "127.0.0.1", () => { s.destroy(); resolve(true); });
  s.on("error", () => resolve(false));
}));

// --- simulated units --------------------------------------------------------
const screenshotPng = fs.readFileSync(path.join(source, "docs", "images", "builtin-help-slide-1280x720.png"));
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
function status(name, version, tags, extra = {}) {
  return JSON.stringify({
    schema: 1, unit: name, tags, player_version: "0.1.0", sent_at: now(), uptime_s: 3600, heartbeat_s: 300,
    status: {
      device_name: name, venue_tags: tags, updates_enabled: true,
      shown: version ? { source: "network", version, published: "2026-11-29T10:00:00Z", name: "Lobby, winter 2026" }
                     : { source: "builtin", version: null, published: null, name: "Built-in" },
      last_check: "2026-11-30T09:35:12Z", last_check_result: extra.result || "unchanged",
      last_error: extra.error ? { time: "2026-11-30T09:35:12Z", reason: extra.error } : null,
      stale: !!extra.stale, stale_reasons: extra.stale ? [extra.stale] : [], problems: [], warnings: [],
      display: { state: "showing", video_driver: "KMSDRM", width: 1920, height: 1080, rotation: 0 },
    },
  });
}
const received = {};  // unit -> [{topic, payload}]
function startUnit(name, version, tags, extra) {
  received[name] = [];
  const client = mqtt.connect("mqtt://127.0.0.1:" + port, {
    clientId: "kiosk-unit-" + name, username: name, password: users[name], protocolVersion: 4,
    reconnectPeriod: 0, keepalive: 60,
    will: { topic: "kiosk/unit/" + name + "/presence", payload: '{"online":false}', qos: 1, retain: true },
  });
  client.on("connect", () => {
    client.publish("kiosk/unit/" + name + "/presence", JSON.stringify({ online: true, since: now() }), { qos: 1, retain: true });
    client.publish("kiosk/unit/" + name + "/status", status(name, version, tags, extra), { qos: 1, retain: true });
    client.subscribe(["kiosk/cmd/unit/" + name, "kiosk/cmd/all", ...tags.map((t) => "kiosk/cmd/tag/" + t)], { qos: 1 });
  });
  client.on("message", (topic, payload) => {
    received[name].push({ topic, payload: payload.toString() });
    let command;
    try { command = JSON.parse(payload.toString()); } catch { return; }
    if (command.unit && command.unit !== name) return;
    const reply = (result, message) => client.publish("kiosk/unit/" + name + "/reply",
      JSON.stringify({ id: command.id, command: command.command, result, message, at: now() }), { qos: 1 });
    if (command.command === "check-now") reply("started", "checking for a new bundle");
    else if (command.command === "screenshot") {
      client.publish("kiosk/unit/" + name + "/screenshot", screenshotPng, { qos: 1, retain: true }, () =>
        reply("done", "1280x720 PNG, " + screenshotPng.length + " bytes"));
    } else reply("refused", "unknown command");
  });
  cleanup.push(() => client.end(true));
  return client;
}
startUnit("lobby-1", 42, ["hotel-x"]);
const lobby2 = startUnit("lobby-2", 41, ["hotel-x"], { stale: "no poll succeeded for 3 poll intervals", result: "failed", error: "updates.example.org: connection timed out" });
startUnit("gare-1", 0, ["station"]);

// --- the browser -------------------------------------------------------------
const profile = fs.mkdtempSync(path.join(os.tmpdir(), "kiosk-fleet-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  viewport: { width: 1600, height: 900 },
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
cleanup.unshift(() => context.close());
const page = context.pages()[0] || await context.newPage();
const consoleErrors = [];
page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
page.on("pageerror", (e) => consoleErrors.push(String(e)));
// Nothing leaves the machine: any request that is not the page's own files
// or the local broker fails the test.
const outside = [];
page.on("request", (r) => {
  const url = r.url();
  if (!url.startsWith("file://") && !url.startsWith("ws://127.0.0.1:") && !url.startsWith("blob:")) outside.push(url);
});

try {
  await page.goto(pathToFileURL(path.join(pageDir, "index.html")).href);
  check(await page.evaluate(() => typeof window.mqtt === "object" || typeof window.mqtt === "function"),
        "the pinned mqtt.min.js loads from the page's own directory");
  await page.screenshot({ path: path.join(shots, "fleet-page-login.png") });

  // A wrong password: the form says so and stays.
  await page.fill("#broker", "ws://127.0.0.1:" + wsPort);
  await page.fill("#username", "fleet-admin");
  await page.fill("#password", "wrong");
  await page.click("#connect");
  await waitFor("the login error", async () => (await page.textContent("#login-error")).length > 0);
  const loginError = await page.textContent("#login-error");
  check(/Not authorised/.test(loginError), "a wrong password is refused: " + loginError);
  check(await page.isVisible("#login"), "the login form stays after a refusal");

  await page.fill("#password", "admin-secret");
  await page.click("#connect");
  await waitFor("three rows", async () => (await page.locator("#units tbody tr").count()) === 3);
  check(await page.inputValue("#password") === "", "the password field is emptied once connected");
  const row = (name) => page.locator(`#units tbody tr[data-unit="${name}"]`);
  const cell = async (name, cls) => (await row(name).locator("td." + cls.split(" ")[0]).textContent()) || "";
  check((await cell("lobby-1", "shown")) === "v42", "lobby-1 shows v42");
  check((await cell("lobby-2", "shown")) === "v41", "lobby-2 shows v41");
  check((await cell("gare-1", "shown")) === "builtin", "gare-1 shows built-in content");
  check((await cell("lobby-2", "stale")).startsWith("STALE: no poll succeeded"), "lobby-2 is stale, with why");
  check((await cell("lobby-2", "error")).includes("connection timed out"), "lobby-2's last error");
  check((await cell("lobby-1", "state")).startsWith("online since"), "lobby-1 is online");
  check((await cell("lobby-1", "display")) === "showing 1920x1080", "lobby-1's display");
  check((await page.textContent("#summary")) === "3 units, 3 online", "the summary counts units");

  // The tag filter.
  await page.selectOption("#tag", "hotel-x");
  await waitFor("the hotel-x filter", async () => (await page.locator("#units tbody tr").count()) === 2);
  check(await row("gare-1").count() === 0, "the station unit is hidden by tag hotel-x");
  await page.click("#check-tag");
  await waitFor("the tag's check-now at both hotel units", () =>
    received["lobby-1"].some((m) => m.topic === "kiosk/cmd/tag/hotel-x") &&
    received["lobby-2"].some((m) => m.topic === "kiosk/cmd/tag/hotel-x"));
  check(!received["gare-1"].some((m) => m.topic.startsWith("kiosk/cmd/tag/")), "gare-1 did not get the hotel-x command");
  await page.selectOption("#tag", "");
  await waitFor("all rows again", async () => (await page.locator("#units tbody tr").count()) === 3);

  // Check now on one unit: it receives the command, its reply is shown.
  const before = received["gare-1"].length;
  await row("gare-1").locator("button.check-now").click();
  await waitFor("gare-1 to receive check-now", () => received["gare-1"].length > before);
  const command = JSON.parse(received["gare-1"].at(-1).payload);
  check(received["gare-1"].at(-1).topic === "kiosk/cmd/unit/gare-1" && command.command === "check-now" &&
        command.unit === "gare-1" && /^[A-Za-z0-9._-]{1,64}$/.test(command.id),
        "clicking Check now sends {command, id, unit} to kiosk/cmd/unit/gare-1");
  await waitFor("gare-1's reply in the table", async () => (await cell("gare-1", "reply")).startsWith("check-now started"));

  // Screenshot: the unit's PNG appears as an image.
  await row("lobby-1").locator("button.screenshot").click();
  await waitFor("lobby-1's screenshot", async () => row("lobby-1").locator("td.screenshot img").evaluate(
    (img) => img.complete && img.naturalWidth > 0).catch(() => false));
  const size = await row("lobby-1").locator("td.screenshot img").evaluate((img) => [img.naturalWidth, img.naturalHeight, img.src.slice(0, 5)]);
  check(size[0] === 1280 && size[1] === 720 && size[2] === "blob:", "the screenshot is the unit's PNG (" + size.join(", ") + ")");
  await page.screenshot({ path: path.join(shots, "fleet-page.png") });

  // A unit killed (socket closed, no DISCONNECT): the broker's will marks it
  // offline, and the page says since when it saw it go.
  lobby2.stream.destroy();
  await waitFor("lobby-2 offline", async () => (await cell("lobby-2", "state")).startsWith("OFFLINE since"), 15000);
  check((await row("lobby-2").getAttribute("class")) === "offline", "lobby-2's row is marked offline");
  check((await page.textContent("#summary")) === "3 units, 2 online", "the summary counts lobby-2 offline");
  await page.screenshot({ path: path.join(shots, "fleet-page-offline.png") });

  check(consoleErrors.length === 0, "no errors in the page's console " + JSON.stringify(consoleErrors));
  check(outside.length === 0, "no request leaves the machine " + JSON.stringify(outside));
} catch (e) {
  check(false, "the test threw: " + (e && e.stack ? e.stack : e));
} finally {
  for (const f of cleanup) { try { await f(); } catch { /* already gone */ } }
  fs.rmSync(profile, { recursive: true, force: true });
  if (shots !== work) fs.rmSync(work, { recursive: true, force: true });
}
console.log(failures ? failures + " check(s) failed; screenshots in " + shots : "all checks passed; screenshots in " + shots);
process.exit(failures ? 1 : 0);
