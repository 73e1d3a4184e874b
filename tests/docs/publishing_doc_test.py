#!/usr/bin/env python3
"""Runs docs/publishing.md as written.

Usage: publishing_doc_test.py SOURCE_DIR KIOSK_BINARY

Every ```sh block of the page runs in order (sh -e, HOME and the working
directory a temporary home, the kiosk binary first in PATH, the key password
on stdin for minisign's prompts) against a private nginx configured with the
page's ```nginx block (tests/servers/nginx_server.py, HTTPS with a test CA).
At each "<!-- doc-test: run-unit expect k=v ... -->" marker, a real unit
(`kiosk run`, SDL's dummy video driver) starts with the configuration the
page's blocks wrote to ~/kiosk.json, polls once, and its status file must
show what the marker expects (keys: version, source, result, hotline, stale,
root; see actual_of). The unit keeps its state directory between markers,
like a real screen that restarts.

The page's example locations are replaced before running: /var/www/kiosk
(the web root), https://signs.example.org (the server) and
/run/kiosk/status.json (the unit's status file).
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

PASSWORD = "correct horse battery staple"
MARKER = re.compile(r"<!-- doc-test: run-unit expect((?: \w+=\S+)*) -->")


def parse(page):
    """The page as steps: ("sh", text), ("nginx", text), ("unit", {k: v})."""
    steps = []
    lines = page.splitlines()
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        marker = MARKER.fullmatch(stripped)
        if marker:
            steps.append(("unit", dict(kv.split("=", 1) for kv in marker.group(1).split())))
        elif stripped.startswith("```") and len(stripped) > 3:
            lang = stripped[3:].strip()
            indent = len(lines[i]) - len(lines[i].lstrip())
            body = []
            i += 1
            while i < len(lines) and lines[i].strip() != "```":
                body.append(lines[i][indent:] if lines[i][:indent].isspace() else lines[i])
                i += 1
            if lang in ("sh", "nginx"):
                steps.append((lang, "\n".join(body) + "\n"))
        i += 1
    return steps


def fail(message):
    print("FAIL: " + message, flush=True)
    sys.exit(1)


def main():
    source_dir, kiosk = sys.argv[1], os.path.abspath(sys.argv[2])
    with open(os.path.join(source_dir, "docs", "publishing.md"), encoding="utf-8") as f:
        steps = parse(f.read())
    nginx_blocks = [text for kind, text in steps if kind == "nginx"]
    if len(nginx_blocks) != 1:
        fail(f"expected one nginx block in the page, found {len(nginx_blocks)}")
    if not any(kind == "unit" for kind, _ in steps):
        fail("the page has no run-unit marker")

    tmp = tempfile.mkdtemp(prefix="kiosk-doc-test-")
    nginx = None
    try:
        home, www, unit_dir = (os.path.join(tmp, d) for d in ("home", "www", "unit"))
        for d in (home, www, unit_dir):
            os.makedirs(d)
        status_file = os.path.join(tmp, "run", "kiosk", "status.json")
        replacements = [("/var/www/kiosk", os.path.join(www, "kiosk")),
                        ("/run/kiosk/status.json", status_file)]

        def localize(text):
            for old, new in replacements:
                text = text.replace(old, new)
            return text

        snippet = os.path.join(tmp, "snippet.conf")
        with open(snippet, "w") as f:
            f.write(localize(nginx_blocks[0]))
        nginx = subprocess.Popen(
            [sys.executable, os.path.join(source_dir, "tests", "servers", "nginx_server.py"),
             "--root", www, "--workdir", os.path.join(tmp, "nginx"), "--extra-conf", snippet,
             "--max-seconds", "840", "--exit-on-stdin-eof"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        info = dict(kv.split("=", 1) for kv in nginx.stdout.readline().split())
        if "https" not in info:
            fail("nginx did not start")
        replacements.append(("https://signs.example.org", f"https://127.0.0.1:{info['https']}"))

        password_file = os.path.join(tmp, "passwords")
        with open(password_file, "w") as f:
            f.write((PASSWORD + "\n") * 20)
        env = dict(os.environ, HOME=home,
                   PATH=os.path.dirname(kiosk) + os.pathsep + os.environ.get("PATH", ""))
        for var in ("http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
            env.pop(var, None)

        for number, (kind, text) in enumerate(steps, 1):
            if kind == "sh":
                script = localize(text)
                print(f"--- step {number}: sh\n{script}", flush=True)
                with open(password_file) as stdin:
                    done = subprocess.run(["sh", "-e", "-c", script], cwd=home, env=env,
                                          stdin=stdin, timeout=120)
                if done.returncode != 0:
                    fail(f"step {number} exited with status {done.returncode}")
            elif kind == "unit":
                print(f"--- step {number}: run the unit, expect {text}", flush=True)
                run_unit(kiosk, home, unit_dir, status_file, info["ca"], env, text)
        print("PASS: docs/publishing.md ran as written", flush=True)
    finally:
        if nginx is not None:
            nginx.stdin.close()
            try:
                nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                nginx.kill()
                nginx.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def actual_of(status):
    """The fields a marker can expect, as strings. root: the version of the
    root document the unit trusts ("root v2: ..."), or none."""
    shown = status["shown"]
    root = re.match(r"root v(\d+):", status.get("trust") or "")
    return {"version": str(shown["version"]), "source": shown["source"],
            "result": status["last_check_result"], "hotline": str(shown.get("hotline")),
            "stale": str(status.get("stale")).lower(),
            "root": root.group(1) if root else "none"}


def run_unit(kiosk, home, unit_dir, status_file, ca_file, env, expect):
    """Starts a unit on ~/kiosk.json, waits for its first poll, checks its status."""
    with open(os.path.join(home, "kiosk.json")) as f:
        config = json.load(f)
    # Test-only settings: this nginx's test CA, and the unit's files in the
    # temporary directory.
    config["updates"]["pinned_ca_file"] = ca_file
    config["state_dir"] = os.path.join(unit_dir, "state")
    config["status_file"] = status_file
    config_file = os.path.join(unit_dir, "kiosk.json")
    with open(config_file, "w") as f:
        json.dump(config, f, indent=2)
    if os.path.exists(status_file):
        os.remove(status_file)

    command = [kiosk, "run", "--config", config_file, "--windowed", "--size", "1280x720",
               "--exit-after", "90"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    unit_env = dict(env, SDL_VIDEODRIVER="dummy", SDL_RENDER_DRIVER="software",
                    SDL_AUDIODRIVER="dummy")
    unit = subprocess.Popen(command, env=unit_env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # The status file names what is on screen, and new content takes over at
    # the next slide boundary: wait until it shows what is expected (or the
    # time is up), after the first poll. A status with updates_enabled false
    # can be written before the updater starts; only one that stays so until
    # the deadline means the unit refused the configuration.
    status = None
    updates_off = None
    deadline = time.monotonic() + 75
    while time.monotonic() < deadline and unit.poll() is None:
        try:
            with open(status_file) as f:
                candidate = json.load(f)
            updates_off = None if candidate["updates_enabled"] else candidate
            if updates_off is None and candidate.get("last_check") is not None:
                status = candidate
                if all(actual_of(candidate).get(k) == v for k, v in expect.items()):
                    break
        except (OSError, ValueError):
            pass  # not written yet, or being replaced
        time.sleep(0.1)
    if unit.poll() is None:
        unit.send_signal(signal.SIGTERM)
    try:
        log, _ = unit.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        unit.kill()
        log, _ = unit.communicate()
    print(log, end="", flush=True)
    if updates_off is not None:
        print(json.dumps(updates_off, indent=2), flush=True)
        fail("updates are off: the unit did not accept the configuration ~/kiosk.json")
    if status is None:
        fail("the unit wrote no status after a poll")
    print(json.dumps(status, indent=2), flush=True)
    actual = actual_of(status)
    for key, value in expect.items():
        if actual.get(key) != value:
            reason = (status.get("last_error") or {}).get("reason", "")
            fail(f"unit status {key}={actual.get(key)}, expected {value} "
                 f"(last error: {reason})")


if __name__ == "__main__":
    main()
