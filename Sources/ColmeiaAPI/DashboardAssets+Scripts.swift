extension DashboardAssets {
    /// `api.js`: reads and writes through the ordinary API, and follows `/ui/api/stream`.
    static let apiJS = #"""
    // Every read and write the dashboard makes is an ordinary API call, judged by the same rules.
    export class ApiError extends Error {
      constructor(status, message) { super(message); this.status = status; }
    }

    async function answer(response) {
      if (response.ok) {
        const text = await response.text();
        return text ? JSON.parse(text) : null;
      }
      let message = response.statusText;
      try { message = (await response.json()).message || message; } catch { /* not JSON */ }
      throw new ApiError(response.status, message);
    }

    export function get(path) {
      return fetch(path, { cache: "no-store", headers: { Accept: "application/json" } }).then(answer);
    }

    export function post(path, body) {
      return fetch(path, { method: "POST", headers: { "Content-Type": "application/json" },
                           body: JSON.stringify(body ?? {}) }).then(answer);
    }

    export const filters = (object) => encodeURIComponent(JSON.stringify(object));

    // Follows the change stream. `handlers.open(resumed)` runs on every (re)connection (the
    // caller re-reads the state then), `change(summary)` for each applied command,
    // `leader()` when this manager's leader changes, `state(text)` for the indicator.
    // Reconnects with a growing delay and resumes after the last index seen.
    export function follow(handlers) {
      let last = null, source = null, delay = 250, stopped = false;
      const connect = () => {
        if (stopped) return;
        handlers.state("reconnecting");
        source = new EventSource("/ui/api/stream" + (last === null ? "" : "?after=" + last));
        source.addEventListener("hello", (event) => {
          const hello = JSON.parse(event.data);
          const resumed = last !== null;
          last = hello.Index;
          delay = 250;
          // Live only once the state is read again; a manager that cannot answer yet is retried.
          handlers.open(resumed).then(() => handlers.state("live"), () => source.onerror());
        });
        source.addEventListener("change", (event) => {
          const summary = JSON.parse(event.data);
          last = summary.Index;
          handlers.change(summary);
        });
        source.addEventListener("leader", () => handlers.leader());
        source.onerror = () => {
          // EventSource retries by itself only after a dropped stream; after a refused one
          // (no leader yet: 503) it gives up. Either way, take over and resume from `last`.
          source.close();
          handlers.state("reconnecting");
          setTimeout(connect, delay);
          delay = Math.min(delay * 2, 4000);
        };
      };
      connect();
      return { stop() { stopped = true; source?.close(); } };
    }
    """#

    /// `views.js`: turns the state into DOM. Pure functions of their arguments, plus the
    /// keyed update of the cluster map (task cards are reused, so a change touches only them).
    static let viewsJS = #"""
    export const h = (tag, attributes = {}, ...children) => {
      const element = document.createElement(tag);
      for (const [key, value] of Object.entries(attributes)) {
        if (value === undefined || value === null || value === false) continue;
        if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
        else if (key === "dataset") Object.assign(element.dataset, value);
        else element.setAttribute(key, value === true ? "" : value);
      }
      for (const child of children.flat()) {
        if (child !== null && child !== undefined && child !== false) element.append(child);
      }
      return element;
    };

    export const shortID = (id) => (id || "").slice(0, 12);
    export const imageOf = (spec) => (spec?.TaskTemplate?.ContainerSpec?.Image || spec?.ContainerSpec?.Image || "").split("@")[0];
    export const when = (text) => text ? new Date(text).toLocaleString() : "";
    const gib = (bytes) => (bytes / 2 ** 30).toFixed(1) + " GiB";

    // What a task card shows on hover or focus: its state, its message, its error.
    export function taskDetails(task, serviceName) {
      const status = task.Status || {};
      return [`${serviceName}.${task.Slot ?? task.NodeID} (${shortID(task.ID)})`,
              `state: ${status.State} (desired ${task.DesiredState})`,
              status.Message ? `message: ${status.Message}` : "",
              status.Err ? `error: ${status.Err}` : "",
              `since: ${when(status.Timestamp)}`].filter(Boolean).join("\n");
    }

    // Tasks the map shows: those meant to run, and those still on their way out.
    export function visibleOnMap(task) {
      const state = task.Status?.State;
      return task.DesiredState === "running" || task.DesiredState === "ready" ||
        !["shutdown", "complete", "failed", "rejected", "orphaned", "remove"].includes(state);
    }

    function nodeMeta(node) {
      const description = node.Description || {};
      const resources = description.Resources || {};
      const manager = node.ManagerStatus;
      return [
        `${node.Spec?.Role} · ${node.Spec?.Availability} · ${node.Status?.State}`,
        manager ? `manager: ${manager.Reachability}` : "",
        `engine ${description.Engine?.EngineVersion || "?"} · ${node.Status?.Addr || ""}`,
        `${(resources.NanoCPUs || 0) / 1e9} CPU · ${gib(resources.MemoryBytes || 0)}`,
      ].filter(Boolean).join("\n");
    }

    const escape = (text) => String(text ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

    // A task card's contents, as HTML: a column's cards are drawn in one go the first time.
    function cardHTML(task, name) {
      const state = task.Status?.State || "new";
      return `<div class="task" tabindex="0" data-task="${escape(task.ID)}" data-state="${escape(state)}" data-service="${escape(name)}">` +
        `<div class="svc">${escape(name)}${task.Slot ? "." + task.Slot : ""} <span class="st">${escape(state)}</span></div>` +
        `<div class="img">${escape(imageOf(task.Spec))}</div></div>`;
    }

    const cardSignature = (task, name) =>
      [task.Status?.State, name, task.Slot, task.Status?.Message, task.Status?.Err, imageOf(task.Spec)].join("|");

    // Brings a card up to date with its task; untouched when nothing it shows changed.
    function updateCard(element, task, service) {
      const name = service?.Spec?.Name || shortID(task.ServiceID);
      const signature = cardSignature(task, name);
      if (element._signature === signature) return element;
      if (element._signature !== undefined) {
        const fresh = document.createElement("template");
        fresh.innerHTML = cardHTML(task, name);
        element.replaceChildren(...fresh.content.firstChild.childNodes);
        element.dataset.state = task.Status?.State || "new";
        element.dataset.service = name;
      }
      element._signature = signature;
      element._details = taskDetails(task, name);
      return element;
    }

    function newCard(task, service) {
      const template = document.createElement("template");
      template.innerHTML = cardHTML(task, service?.Spec?.Name || shortID(task.ServiceID));
      return updateCard(template.content.firstChild, task, service);
    }

    // The cluster map: one column per node, one card per task, updated in place.
    export function renderMap(root, state, tip, actions) {
      let map = root.querySelector(".map");
      if (!map) {
        root.replaceChildren(h("h2", {}, "Cluster"), map = h("div", { class: "map" }));
        map._columns = new Map();
        map._cards = new Map();
        // One listener for every card: hovering or focusing one shows its details.
        const show = (event) => { const card = event.target.closest?.(".task"); if (card) tip.show(card, card._details); };
        const hide = (event) => { if (event.target.closest?.(".task")) tip.hide(); };
        map.addEventListener("mouseover", show);
        map.addEventListener("focusin", show);
        map.addEventListener("mouseout", hide);
        map.addEventListener("focusout", hide);
      }
      const services = new Map(state.services.map((service) => [service.ID, service]));
      const byNode = new Map();
      for (const task of state.tasks) {
        if (!visibleOnMap(task)) continue;
        if (!byNode.has(task.NodeID)) byNode.set(task.NodeID, []);
        byNode.get(task.NodeID).push(task);
      }
      const nodes = [...state.nodes].sort((a, b) =>
        (a.Spec?.Role === b.Spec?.Role ? 0 : a.Spec?.Role === "manager" ? -1 : 1) ||
        (a.Description?.Hostname || "").localeCompare(b.Description?.Hostname || ""));
      const seenCards = new Set();
      nodes.forEach((node, position) => {
        let column = map._columns.get(node.ID);
        if (!column) {
          column = h("section", { class: "node", dataset: { node: node.ID } });
          column._head = h("header", {});
          column._tasks = h("div", { class: "tasks" });
          column.append(column._head, column._tasks);
          map._columns.set(node.ID, column);
        }
        if (map.children[position] !== column) map.insertBefore(column, map.children[position] || null);
        const leader = node.ManagerStatus?.Leader === true;
        column.dataset.hostname = node.Description?.Hostname || "";
        column.dataset.status = node.Status?.State || "";
        column.dataset.availability = node.Spec?.Availability || "";
        column.dataset.leader = leader ? "true" : "false";
        const head = [node.Description?.Hostname, leader, nodeMeta(node), actions.nodeAvailability].join("|");
        if (column._headSignature !== head) {
          column._headSignature = head;
          column._head.replaceChildren(
            h("div", { class: "name" }, node.Description?.Hostname || shortID(node.ID), " ",
              leader ? h("span", { class: "leader-mark", title: "leader" }, "★ leader") : ""),
            h("div", { class: "meta" }, ...nodeMeta(node).split("\n").flatMap((line) => [line, h("br")])),
            actions.nodeAvailability ? h("div", { class: "actions" },
              node.Spec?.Availability === "drain"
                ? h("button", { onclick: () => actions.setAvailability(node.ID, "active") }, "Activate")
                : h("button", { onclick: () => actions.setAvailability(node.ID, "drain") }, "Drain")) : "");
        }
        const tasks = (byNode.get(node.ID) || []).sort((a, b) => {
          const sa = services.get(a.ServiceID)?.Spec?.Name || "", sb = services.get(b.ServiceID)?.Spec?.Name || "";
          return sa.localeCompare(sb) || (a.Slot || 0) - (b.Slot || 0) || a.ID.localeCompare(b.ID);
        });
        const list = column._tasks;
        if (list.children.length === 0 && tasks.length > 0) {
          // An empty column (the first drawing): all its cards from one string.
          list.innerHTML = tasks.map((task) => cardHTML(task, services.get(task.ServiceID)?.Spec?.Name || shortID(task.ServiceID))).join("");
          tasks.forEach((task, index) => {
            map._cards.get(task.ID)?.remove();
            map._cards.set(task.ID, updateCard(list.children[index], task, services.get(task.ServiceID)));
            seenCards.add(task.ID);
          });
        }
        tasks.forEach((task, index) => {
          let element = map._cards.get(task.ID);
          if (element) updateCard(element, task, services.get(task.ServiceID));
          else map._cards.set(task.ID, element = newCard(task, services.get(task.ServiceID)));
          seenCards.add(task.ID);
          if (list.children[index] !== element) list.insertBefore(element, list.children[index] || null);
        });
        while (list.children.length > tasks.length) list.lastElementChild.remove();
      });
      for (const [id, column] of map._columns) {
        if (!nodes.some((node) => node.ID === id)) { column.remove(); map._columns.delete(id); }
      }
      for (const [id, element] of map._cards) {
        if (seenCards.has(id)) continue;
        if (element.contains(document.activeElement) || element.matches(":hover")) tip.hide();
        element.remove();
        map._cards.delete(id);
      }
    }

    // A service's rolling update: how many of its running tasks already carry the new spec.
    export function updateProgress(service, tasks) {
      const status = service.UpdateStatus;
      if (!status || !/updating|rollback_started/.test(status.State || "")) return null;
      const template = canonical(service.Spec?.TaskTemplate);
      const mine = tasks.filter((task) => task.ServiceID === service.ID && task.DesiredState === "running");
      const done = mine.filter((task) => task.Status?.State === "running" && canonical(task.Spec) === template).length;
      return { done, total: service.Spec?.Mode?.Replicated?.Replicas ?? mine.length, state: status.State };
    }

    // JSON with sorted keys, so two specs compare by content.
    export function canonical(value) {
      if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
      if (value && typeof value === "object") {
        return "{" + Object.keys(value).filter((key) => value[key] !== undefined).sort()
          .map((key) => JSON.stringify(key) + ":" + canonical(value[key])).join(",") + "}";
      }
      return JSON.stringify(value ?? null);
    }

    export function ports(service) {
      return (service.Endpoint?.Ports || service.Spec?.EndpointSpec?.Ports || [])
        .map((port) => `${port.PublishedPort}:${port.TargetPort}/${port.Protocol || "tcp"}`).join(", ");
    }

    export function replicas(service, tasks) {
      const running = tasks.filter((task) => task.ServiceID === service.ID && task.Status?.State === "running" &&
                                   task.DesiredState === "running").length;
      const replicated = service.Spec?.Mode?.Replicated;
      return { running, desired: replicated ? replicated.Replicas ?? 1 : null, mode: replicated ? "replicated" : "global" };
    }

    export function progressBar(progress) {
      if (!progress) return "";
      return h("span", { class: "progress" }, h("progress", { max: String(Math.max(progress.total, 1)), value: String(progress.done) }),
               ` ${progress.state} ${progress.done}/${progress.total}`);
    }

    // One JSON Patch operation as a line: `+ /path value`.
    export function patchLine(operation) {
      const sign = { add: "+", remove: "-", replace: "~" }[operation.op] || "?";
      const value = operation.value === undefined ? "" : " " + JSON.stringify(operation.value);
      return h("div", { class: operation.op }, `${sign} ${operation.path}${value}`);
    }
    """#

    /// `app.js`: the state, the views' routing, the live stream and the actions.
    static let appJS = #"""
    import { get, post, follow, filters, ApiError } from "/ui/api.js";
    import { h, shortID, imageOf, when, renderMap, updateProgress, ports, replicas, progressBar, patchLine } from "/ui/views.js";

    const main = document.getElementById("main");
    const live = document.getElementById("live");
    const state = { session: null, nodes: [], services: [], tasks: [], index: 0, view: null };
    const perf = (window.colmeiaPerf = { renders: [] });

    const tip = {
      element: document.getElementById("tip"),
      show(target, text) {
        const box = target.getBoundingClientRect();
        this.element.textContent = text;
        this.element.hidden = false;
        this.element.style.left = Math.min(box.left, window.innerWidth - 330) + "px";
        this.element.style.top = box.bottom + 4 + "px";
      },
      hide() { this.element.hidden = true; },
    };

    function setLive(text) {
      live.dataset.state = text;
      live.textContent = text;
    }

    function fail(error) {
      main.replaceChildren(h("p", { class: "error" }, String(error.message || error)));
    }

    // Reading the state: what the stream says changed, re-read through the API.
    const readers = {
      node: async () => { state.nodes = await get("/nodes"); },
      service: async () => { state.services = await get("/services?status=true"); },
      task: async () => { state.tasks = await get("/tasks?filters=" + filters({ "desired-state": ["running"] })); },
    };

    async function reread(kinds) {
      await Promise.all([...kinds].map((kind) => readers[kind]()));
    }

    let pending = new Set(), scheduled = null, lastChangeAt = 0;
    function changed(kinds) {
      for (const kind of kinds) if (readers[kind]) pending.add(kind);
      if (scheduled || pending.size === 0) return;
      scheduled = setTimeout(async () => {
        const kinds = pending;
        pending = new Set();
        scheduled = null;
        try {
          await reread(kinds);
          render(true);
        } catch (error) {
          // A manager between leaders answers 503: show it, and read everything again when it answers.
          setLive("reconnecting");
          setTimeout(() => changed(["node", "service", "task"]), 500);
          return;
        }
        if (live.dataset.state !== "live" && stream) setLive("live");
      }, 30);
    }

    // Drawing the current view.
    function render(isUpdate = false) {
      const started = performance.now();
      const route = location.hash.replace(/^#\/?/, "").split("/");
      for (const link of document.querySelectorAll("nav a")) link.classList.toggle("active", link.dataset.view === route[0] || (route[0] === "service" && link.dataset.view === "services"));
      const view = route[0] || "map";
      if (view !== state.view) {
        tip.hide();
        main.replaceChildren();
        state.view = view;
      }
      if (view === "map") renderMap(main, state, tip, mapActions);
      else if (view === "services") renderServices();
      else if (view === "service") renderService(decodeURIComponent(route[1] || ""), isUpdate);
      else if (view === "timeline") renderTimeline(isUpdate);
      const finished = performance.now();
      perf.renders.push({ view, update: isUpdate, ms: finished - started, at: finished, index: state.index });
      if (perf.renders.length > 200) perf.renders.shift();
      main.dataset.index = String(state.index);
    }

    const mapActions = {
      get nodeAvailability() { return state.session?.Allowed?.SetNodeAvailability; },
      async setAvailability(id, availability) {
        try {
          const node = await get(`/nodes/${id}`);
          await post(`/nodes/${id}/update?version=${node.Version.Index}`, { ...node.Spec, Availability: availability });
        } catch (error) { alert(error.message); }
      },
    };

    function renderServices() {
      const rows = [...state.services].sort((a, b) => a.Spec.Name.localeCompare(b.Spec.Name)).map((service) => {
        const count = replicas(service, state.tasks);
        return h("tr", { dataset: { service: service.Spec.Name } },
          h("td", {}, h("a", { href: `#/service/${encodeURIComponent(service.ID)}` }, service.Spec.Name)),
          h("td", {}, count.mode),
          h("td", { class: "num" }, count.desired === null ? `${count.running}` : `${count.running}/${count.desired}`),
          h("td", { class: "hide-narrow" }, imageOf(service.Spec)),
          h("td", { class: "hide-narrow" }, ports(service)),
          h("td", {}, service.UpdateStatus?.State || "", " ", progressBar(updateProgress(service, state.tasks))));
      });
      main.replaceChildren(h("h2", {}, `Services (${state.services.length})`),
        h("table", { class: "services" },
          h("thead", {}, h("tr", {}, ["Name", "Mode", "Replicas", "Image", "Ports", "Update"].map((title, index) =>
            h("th", { class: index === 3 || index === 4 ? "hide-narrow" : undefined }, title)))),
          h("tbody", {}, rows)));
    }

    // A service's page: its tasks (history included), its spec, its versions and their diff.
    const servicePage = { id: null, tasks: [], history: null, from: null, to: null, loading: null };

    async function loadService(id) {
      const [tasks, history] = await Promise.all([
        get("/tasks?filters=" + filters({ service: [id] })),
        get(`/colmeia/v1/services/${encodeURIComponent(id)}/history`),
      ]);
      servicePage.tasks = tasks;
      servicePage.history = history;
      const count = history.Versions.length;
      if (servicePage.to === null || servicePage.to > count) servicePage.to = count;
      if (servicePage.from === null || servicePage.from > count) servicePage.from = Math.max(1, count - 1);
    }

    function renderService(id, isUpdate) {
      if (servicePage.id !== id) {
        Object.assign(servicePage, { id, tasks: [], history: null, from: null, to: null });
        main.replaceChildren(h("p", { class: "note" }, "Loading…"));
      }
      if (!servicePage.loading) {
        servicePage.loading = loadService(id).then(() => drawService(id), fail).finally(() => { servicePage.loading = null; });
      }
    }

    async function showDiff(id) {
      const out = main.querySelector(".diff");
      try {
        const diff = await get(`/colmeia/v1/services/${encodeURIComponent(id)}/diff?from=${servicePage.from}&to=${servicePage.to}`);
        out.replaceChildren(h("div", { class: "note" }, `version ${diff.From} → ${diff.To}: ${diff.Patch.length} change(s)`),
                            ...diff.Patch.map(patchLine));
        out.dataset.from = String(diff.From);
        out.dataset.to = String(diff.To);
      } catch (error) { out.replaceChildren(h("span", { class: "error" }, error.message)); }
    }

    // Drawn in parts: the head, tasks and spec follow the cluster; the versions and their
    // diff are drawn again only when a version is added, so a choice in progress stays.
    function drawService(id) {
      const service = state.services.find((candidate) => candidate.ID === id || candidate.Spec.Name === id);
      const history = servicePage.history;
      if (!history) return;
      let parts = main.querySelector(".service-page");
      if (!parts || parts.dataset.id !== history.ID) {
        parts = h("div", { class: "service-page", dataset: { id: history.ID } },
          h("div", { class: "svc-head" }), h("h3", {}, "Tasks"), h("div", { class: "svc-tasks" }),
          h("div", { class: "svc-versions" }), h("h3", {}, "Spec"), h("pre", { class: "spec" }));
        main.replaceChildren(parts);
      }
      const name = service?.Spec?.Name || history.Name;
      const allowed = state.session?.Allowed || {};
      const count = service ? replicas(service, state.tasks) : null;
      const head = parts.querySelector(".svc-head");
      const focused = head.contains(document.activeElement);
      if (!focused) head.replaceChildren(
        h("h2", { "data-service": name }, `Service ${name}`, history.Removed ? " (removed)" : ""),
        service ? h("p", {}, `${count.mode}, ${count.running}${count.desired === null ? "" : "/" + count.desired} running · ${imageOf(service.Spec)} `,
                    h("span", { class: "update", "data-state": service.UpdateStatus?.State || "" }, service.UpdateStatus?.State || ""), " ",
                    progressBar(updateProgress(service, servicePage.tasks))) : "",
        service && (allowed.ScaleService || allowed.RollbackService) ? h("div", { class: "actions" },
          allowed.ScaleService ? [h("input", { type: "number", min: "0", value: String(count.desired ?? 0), "aria-label": "replicas", class: "replicas" }),
                                  h("button", { onclick: () => scale(service.ID, Number(main.querySelector(".replicas").value)) }, "Scale")] : "",
          allowed.RollbackService ? h("button", { onclick: () => rollback(service.ID) }, "Roll back") : "") : "");
      const tasks = [...servicePage.tasks].sort((a, b) => (a.Slot || 0) - (b.Slot || 0) ||
        (b.Status?.Timestamp || "").localeCompare(a.Status?.Timestamp || ""));
      const nodes = new Map(state.nodes.map((node) => [node.ID, node.Description?.Hostname || shortID(node.ID)]));
      parts.querySelector(".svc-tasks").replaceChildren(h("table", { class: "service-tasks" },
        h("thead", {}, h("tr", {}, ["Task", "Node", "Desired", "State", "Since", "Message / error"].map((title) => h("th", {}, title)))),
        h("tbody", {}, tasks.map((task) => h("tr", { dataset: { state: task.Status?.State || "", desired: task.DesiredState || "" } },
          h("td", {}, `${name}.${task.Slot ?? ""} ${shortID(task.ID)}`), h("td", {}, nodes.get(task.NodeID) || shortID(task.NodeID)),
          h("td", {}, task.DesiredState), h("td", {}, task.Status?.State), h("td", {}, when(task.Status?.Timestamp)),
          h("td", {}, [task.Status?.Message, task.Status?.Err].filter(Boolean).join(" — ")))))));
      parts.querySelector(".spec").textContent = JSON.stringify(service?.Spec || history.Versions.at(-1)?.Spec, null, 2);
      const versionsPart = parts.querySelector(".svc-versions");
      if (versionsPart.dataset.count === String(history.Versions.length)) return;
      versionsPart.dataset.count = String(history.Versions.length);
      const pick = (which) => {
        const select = h("select", { name: which, onchange: (event) => { servicePage[which] = Number(event.target.value); showDiff(history.ID); } },
          history.Versions.map((version) => h("option", { value: String(version.Version) },
            `v${version.Version} · ${when(version.Time)} · ${version.Actor.ID}`)));
        select.value = String(servicePage[which]);
        return select;
      };
      versionsPart.replaceChildren(h("h3", {}, `Versions (${history.Versions.length})`),
        h("div", { class: "actions" }, "Diff from ", pick("from"), " to ", pick("to")), h("pre", { class: "diff" }));
      showDiff(history.ID);
    }

    async function scale(id, replicasWanted) {
      try {
        const service = await get(`/services/${id}`);
        const spec = structuredClone(service.Spec);
        spec.Mode = { Replicated: { Replicas: replicasWanted } };
        await post(`/services/${id}/update?version=${service.Version.Index}`, spec);
      } catch (error) { alert(error.message); }
    }

    async function rollback(id) {
      try {
        const service = await get(`/services/${id}`);
        await post(`/services/${id}/update?version=${service.Version.Index}&rollback=previous`, service.Spec);
      } catch (error) { alert(error.message); }
    }

    // The audit trail as a timeline, searchable by actor, type, object and time.
    const timeline = { query: { actor: "", type: "", name: "", since: "", until: "" }, records: null, error: null, loading: false };

    async function loadTimeline() {
      const parameters = new URLSearchParams({ limit: "200", order: "desc" });
      for (const [key, value] of Object.entries(timeline.query)) {
        if (!value) continue;
        parameters.set(key, key === "since" || key === "until" ? String(Math.floor(new Date(value).getTime() / 1000)) : value);
      }
      try {
        timeline.records = (await get("/colmeia/v1/audit?" + parameters)).Records;
        timeline.error = null;
      } catch (error) {
        timeline.error = error instanceof ApiError && error.status === 403
          ? "The audit trail needs the operator role: " + error.message : error.message;
      }
    }

    function objectLink(record) {
      const object = record.Object;
      if (object.Kind === "service") return h("a", { href: `#/service/${encodeURIComponent(object.ID)}` }, `service ${object.Name || shortID(object.ID)}`);
      if (object.Kind === "task" && record.ServiceID) return h("a", { href: `#/service/${encodeURIComponent(record.ServiceID)}` }, `task ${object.Name || shortID(object.ID)}`);
      if (object.Kind === "node") return h("a", { href: "#/map" }, `node ${object.Name || shortID(object.ID)}`);
      return `${object.Kind} ${object.Name || shortID(object.ID)}`;
    }

    function renderTimeline(isUpdate) {
      if (timeline.loading) return;
      if (!isUpdate || timeline.records === null) drawTimelineForm();
      timeline.loading = true;
      loadTimeline().then(drawTimelineList).finally(() => { timeline.loading = false; });
    }

    function drawTimelineForm() {
      const field = (key, label, type = "text") => h("input", { type, name: key, placeholder: label, "aria-label": label, value: timeline.query[key] });
      const form = h("form", { class: "filters", onsubmit: (event) => {
        event.preventDefault();
        for (const input of event.target.querySelectorAll("input")) timeline.query[input.name] = input.value.trim();
        renderTimeline(true);
      } }, field("actor", "actor"), field("type", "type (service.updated)"), field("name", "object name"),
           field("since", "since", "datetime-local"), field("until", "until", "datetime-local"), h("button", { type: "submit" }, "Search"));
      main.replaceChildren(h("h2", {}, "History"), form, h("ul", { class: "timeline" }));
    }

    function drawTimelineList() {
      const list = main.querySelector(".timeline");
      if (!list) return;
      if (timeline.error) { list.replaceChildren(h("li", { class: "error" }, timeline.error)); return; }
      list.replaceChildren(...timeline.records.map((record) => h("li", { dataset: { actor: record.Actor.ID, type: record.Type || "" } },
        h("time", { datetime: record.Time }, when(record.Time)),
        h("span", { class: "actor" }, `${record.Actor.Kind} ${record.Actor.ID}`), " · ",
        h("span", { class: "type" }, record.Type || ""), " · ", objectLink(record),
        h("span", { class: "note" }, ` #${record.Index}`))));
      list.dataset.count = String(timeline.records.length);
    }

    // A worker knows nothing of the cluster state, and says so.
    function showWorker(session) {
      setLive("worker");
      document.querySelector("nav").hidden = true;
      main.replaceChildren(h("div", { class: "worker", id: "worker" },
        h("h2", {}, "This node is a worker"),
        h("p", {}, `Node ${shortID(session.Node.ID)} runs tasks; it holds no cluster state. Worker nodes can't be used to view or modify cluster state: open the dashboard on a manager.`)));
    }

    let stream = null;

    async function start() {
      let session;
      try {
        session = await get("/ui/api/session");
      } catch (error) {
        setLive("error");
        return fail(error);
      }
      state.session = session;
      document.getElementById("who").textContent = `${session.Identity.Name}${session.Identity.Role ? " · " + session.Identity.Role : ""}`;
      if (session.Node.Role === "worker") return showWorker(session);
      if (session.Node.Role !== "manager") {
        setLive("error");
        return fail(new Error(session.Node.Locked ? "This manager is locked: unlock it first (docker swarm unlock)." : "This node is not part of a swarm."));
      }
      stream = follow({
        // Every (re)connection reads everything again: what was shown may be stale.
        open: async () => { await reread(["node", "service", "task"]); render(); },
        change: (summary) => {
          state.index = summary.Index;
          lastChangeAt = performance.now();
          perf.changes = perf.changes || [];
          perf.changes.push({ index: summary.Index, at: lastChangeAt });
          if (perf.changes.length > 500) perf.changes.shift();
          const kinds = new Set(summary.Changes.map((change) => change.Kind));
          changed(kinds);
        },
        leader: () => changed(["node"]),
        state: setLive,
      });
    }

    window.addEventListener("hashchange", () => render());
    start();
    """#
}
