#!/usr/bin/env python3
"""Drives the dashboard in headless Chromium (selenium + chromedriver) against a real swarm.

Run by DashboardBrowserTests.swift, which starts the swarm and passes a JSON description
of it as the only argument. Every check waits explicitly (generous timeouts) and fails with
a message; the script prints one JSON object of observations on success, exits 1 on failure.
"""
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.support.ui import Select, WebDriverWait

config = json.loads(sys.argv[1])
observed = {}


def log(message):
    print(f"[dashboard_test {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def browser():
    options = Options()
    options.binary_location = config.get("chromium", "/usr/bin/chromium")
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1500,1000", "--no-proxy-server"]:
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(config.get("chromedriver", "/usr/bin/chromedriver")), options=options)


def wait(driver, what, check, timeout=40):
    """Polls `check(driver)` until it returns something truthy; fails naming `what`."""
    try:
        # The page redraws what changed: an element found a moment ago may be gone; look again.
        return WebDriverWait(driver, timeout, poll_frequency=0.05,
                             ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)).until(lambda d: check(d))
    except Exception as error:  # TimeoutException, or the check's own error at the end
        raise AssertionError(f"timed out after {timeout} s waiting until {what}: {error!r}") from None


def js(driver, script, *arguments):
    return driver.execute_script(script, *arguments)


def api(path):
    with urllib.request.urlopen(config["apiBase"] + path, timeout=10) as response:
        return json.loads(response.read())


def docker(*arguments):
    return docker_on(config["socket"], *arguments)


def docker_on(socket, *arguments):
    environment = dict(os.environ, DOCKER_HOST="unix://" + socket, DOCKER_CLI_HINTS="false")
    result = subprocess.run(["docker", *arguments], env=environment, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise AssertionError(f"docker {' '.join(arguments)}: {result.stderr}")
    return result.stdout


def running_cards(driver, service):
    return js(driver, "return document.querySelectorAll(`.task[data-service='${arguments[0]}'][data-state='running']`).length",
              service)


def live_state(driver):
    return js(driver, "return document.getElementById('live')?.dataset.state")


def columns(driver):
    return js(driver, """return [...document.querySelectorAll('.map .node')].map(c => ({
        hostname: c.dataset.hostname, leader: c.dataset.leader, status: c.dataset.status}))""")


def screenshot(driver, name):
    path = os.path.join(config["screenshots"], name)
    driver.save_screenshot(path)
    observed.setdefault("screenshots", []).append(path)


def check_no_secret(driver):
    """The secret's value is in no page source and no payload the dashboard reads."""
    secret = config["secretValue"]
    source = driver.page_source
    assert secret not in source, "the secret's value is in the page source"
    urls = js(driver, """return performance.getEntriesByType('resource').map(e => e.name)
        .filter(u => !u.includes('/ui/api/stream'))""")
    urls += [config["apiBase"] + path for path in
             ["/ui/api/session", "/nodes", "/services", "/tasks", "/secrets", "/colmeia/v1/audit?limit=1000"]]
    bodies = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        Promise.all(arguments[0].map(u => fetch(u, {cache: 'no-store'}).then(r => r.text()).then(t => [u, t])))
          .then(done, e => done([['error', String(e)]]));""", sorted(set(urls)))
    assert bodies and bodies[0][0] != "error", f"fetching the payloads failed: {bodies}"
    for url, text in bodies:
        assert secret not in text, f"the secret's value is in {url}"
    observed["payloadsCheckedForSecret"] = len(bodies)


def main():
    service = config["service"]
    driver = browser()
    try:
        # 1. The cluster map: five columns, six running cards.
        driver.get(config["uiURL"] + "#/map")
        js(driver, "window.__loadedOnce = true")
        wait(driver, "the indicator says live", lambda d: live_state(d) == "live")
        wait(driver, "five node columns", lambda d: len(columns(d)) == 5)
        hostnames = sorted(column["hostname"] for column in columns(driver))
        assert hostnames == sorted(config["hostnames"]), f"columns {hostnames}, nodes {config['hostnames']}"
        wait(driver, "one column marks the leader", lambda d: [c["hostname"] for c in columns(d) if c["leader"] == "true"]
             == [config["leaderHostname"]])
        wait(driver, "six running cards of the service", lambda d: running_cards(d, service) == 6)
        card = driver.find_element(By.CSS_SELECTOR, f".task[data-service='{service}'][data-state='running']")
        webdriver.ActionChains(driver).move_to_element(card).perform()
        wait(driver, "hovering a card shows its status message",
             lambda d: "state: running" in (d.find_element(By.ID, "tip").text or ""))
        check_no_secret(driver)
        # Which states the indicator goes through from now on.
        js(driver, """window.__liveStates = [];
            new MutationObserver(() => window.__liveStates.push(document.getElementById('live').dataset.state))
              .observe(document.getElementById('live'), {attributes: true});""")

        # 2. Scale to nine through the API (docker CLI): nine running cards, no reload.
        docker("service", "scale", "--detach", f"{service}=9")
        converged_at = shown_at = None
        deadline = time.time() + 90
        while time.time() < deadline and (converged_at is None or shown_at is None):
            now = time.time()
            if shown_at is None and running_cards(driver, service) == 9:
                shown_at = now
            if converged_at is None:
                tasks = api('/tasks?filters=' + urllib.parse.quote(json.dumps({"service": [service], "desired-state": ["running"]})))
                if sum(1 for t in tasks if t["Status"]["State"] == "running") == 9:
                    converged_at = now
            time.sleep(0.05)
        assert converged_at is not None, "the service never had nine running tasks"
        if shown_at is None:
            shown_at = wait(driver, "nine running cards", lambda d: running_cards(d, service) == 9 and time.time(), timeout=10)
        lag = shown_at - converged_at
        observed["scaleShownAfterConvergenceSeconds"] = round(lag, 3)
        assert lag <= 2.0, f"nine running cards appeared {lag:.2f} s after the API showed nine running tasks"
        assert js(driver, "return window.__loadedOnce === true"), "the page was reloaded"
        # The last card's tooltip hides no other card.
        card = driver.find_elements(By.CSS_SELECTOR, f".task[data-service='{service}'][data-state='running']")[-1]
        webdriver.ActionChains(driver).move_to_element(card).perform()
        screenshot(driver, "dashboard-cluster-map.png")

        # 3. The page's own manager restarts (SIGTERM, started again by the Swift test); a
        # service created meanwhile through the leader is on the page once it has reconnected.
        js(driver, "window.__liveStates = []")
        ask = config["restartRequest"]
        open(ask, "w").close()
        wait(driver, "the indicator says reconnecting", lambda d: live_state(d) == "reconnecting", timeout=30)
        docker_on(config["leaderSocket"], "service", "create", "--detach", "--name", "extra", "busybox", "sleep", "100000")
        wait(driver, "the Swift test restarted the page's manager", lambda d: os.path.exists(config["restartDone"]), timeout=90)
        wait(driver, "the indicator says live after the restart", lambda d: live_state(d) == "live", timeout=60)
        wait(driver, "the service created while the manager was down has a running card",
             lambda d: running_cards(d, "extra") == 1, timeout=60)
        wait(driver, "still nine running cards of the service", lambda d: running_cards(d, service) == 9)
        observed["indicatorStatesDuringRestart"] = js(driver, "return window.__liveStates")
        assert "reconnecting" in observed["indicatorStatesDuringRestart"]
        assert js(driver, "return window.__loadedOnce === true"), "the page was reloaded"

        # 4. SIGKILL the leader: the page recovers and marks the new leader.
        js(driver, "window.__liveStates = []")
        os.kill(config["leaderPID"], signal.SIGKILL)
        killed_at = time.time()
        old = config["leaderHostname"]
        wait(driver, "another manager is marked leader",
             lambda d: any(c["leader"] == "true" and c["hostname"] != old for c in columns(d))
             and not any(c["leader"] == "true" and c["hostname"] == old for c in columns(d)), timeout=60)
        wait(driver, "the indicator says live again", lambda d: live_state(d) == "live", timeout=60)
        observed["newLeaderMarkedAfterKillSeconds"] = round(time.time() - killed_at, 3)
        observed["newLeader"] = [c["hostname"] for c in columns(driver) if c["leader"] == "true"][0]
        observed["indicatorStatesDuringFailover"] = js(driver, "return window.__liveStates")
        assert js(driver, "return window.__loadedOnce === true"), "the page was reloaded"

        # 5. A rolling update (a third version), seen on the service page with its progress.
        docker("service", "update", "--detach", "--env-add", "COLOR=blue", "--update-parallelism", "1",
               "--update-delay", "4s", service)
        driver.get(config["uiURL"] + "#/service/" + config["serviceID"])
        wait(driver, "the service page names the service",
             lambda d: d.find_elements(By.CSS_SELECTOR, f"h2[data-service='{service}']"))
        wait(driver, "the service page shows the update in progress with a progress bar",
             lambda d: d.find_elements(By.CSS_SELECTOR, ".update[data-state='updating']")
             and d.find_elements(By.CSS_SELECTOR, "progress"), timeout=60)
        wait(driver, "the progress bar counts a replaced task",
             lambda d: float(d.find_element(By.CSS_SELECTOR, "progress").get_attribute("value") or 0) >= 1, timeout=60)
        screenshot(driver, "dashboard-service-update.png")
        wait(driver, "the diff of the two latest versions shows the new variable",
             lambda d: "COLOR=blue" in d.find_element(By.CSS_SELECTOR, "pre.diff").text)
        wait(driver, "version 1 is chosen as the diff's start",
             lambda d: Select(d.find_element(By.CSS_SELECTOR, "select[name='from']")).select_by_value("1") or True)
        wait(driver, "version 2 is chosen as the diff's end",
             lambda d: Select(d.find_element(By.CSS_SELECTOR, "select[name='to']")).select_by_value("2") or True)
        wait(driver, "the diff of versions 1 and 2 shows the replica count",
             lambda d: d.find_element(By.CSS_SELECTOR, "pre.diff").get_attribute("data-from") == "1"
             and "/Mode/Replicated/Replicas 9" in d.find_element(By.CSS_SELECTOR, "pre.diff").text)
        observed["diff1to2"] = driver.find_element(By.CSS_SELECTOR, "pre.diff").text

        # 6. The timeline, filtered by actor.
        driver.get(config["uiURL"] + "#/timeline")
        wait(driver, "the timeline lists records", lambda d: int(js(d, "return document.querySelector('.timeline')?.dataset.count || 0")) > 0)
        actors = set(js(driver, "return [...document.querySelectorAll('.timeline li')].map(li => li.dataset.actor)"))
        observed["actorsBeforeFilter"] = sorted(actors)
        assert len(actors) > 1, f"expected several actors before filtering, saw {actors}"
        actor = config["actor"]
        field = driver.find_element(By.CSS_SELECTOR, ".filters input[name='actor']")
        field.clear()
        field.send_keys(actor)
        driver.find_element(By.CSS_SELECTOR, ".filters button[type='submit']").click()
        wait(driver, f"every entry is by {actor}",
             lambda d: (lambda seen: len(seen) > 0 and set(seen) == {actor})(
                 js(d, "return [...document.querySelectorAll('.timeline li')].map(li => li.dataset.actor)")))
        link = driver.find_element(By.CSS_SELECTOR, f".timeline li a[href='#/service/{config['serviceID']}']")
        assert link is not None
        screenshot(driver, "dashboard-timeline.png")

        # 7. A worker's dashboard says it is a worker and shows nothing of the cluster.
        driver.get(config["workerURL"])
        wait(driver, "the worker's page says it is a worker",
             lambda d: "This node is a worker" in (d.find_element(By.ID, "main").text or ""))
        assert not driver.find_elements(By.CSS_SELECTOR, ".map .node"), "a worker's page shows node columns"
        assert live_state(driver) == "worker"
    except Exception:
        try:
            screenshot(driver, "failure.png") if config.get("failureShots") else None
            log("page text at failure:\n" + driver.find_element(By.TAG_NAME, "body").text[:3000])
            log("browser console:\n" + "\n".join(str(entry) for entry in driver.get_log("browser")[-20:]))
        except Exception as inner:
            log(f"(could not read the page: {inner!r})")
        raise
    finally:
        driver.quit()
    print(json.dumps(observed))


if __name__ == "__main__":
    try:
        main()
    except AssertionError as failure:
        log(f"FAILED: {failure}")
        sys.exit(1)
