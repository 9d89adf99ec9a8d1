extension DashboardAssets {
    /// The page: a header with the views and the live indicator, and one `main` the views draw in.
    static let pageHTML = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Colmeia</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="/ui/style.css">
    <script type="module" src="/ui/app.js"></script>
    </head>
    <body>
    <header>
      <strong class="brand">Colmeia</strong>
      <nav>
        <a href="#/map" data-view="map">Cluster</a>
        <a href="#/services" data-view="services">Services</a>
        <a href="#/timeline" data-view="timeline">History</a>
      </nav>
      <span id="who"></span>
      <span id="live" class="live" data-state="connecting" role="status">connecting…</span>
    </header>
    <main id="main"><p class="note">Loading…</p></main>
    <div id="tip" role="tooltip" hidden></div>
    </body>
    </html>
    """#

    static let styleCSS = #"""
    :root { --bg: #f5f6f8; --fg: #1d2330; --muted: #667085; --line: #d9dde5; --card: #fff;
      --running: #2e9e5b; --starting: #d9a21b; --pending: #8a94a6; --failed: #d64545; --shutdown: #9aa3b2;
      --accent: #2a6fdb; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
    * { box-sizing: border-box; }
    body { margin: 0; background: var(--bg); color: var(--fg); font-size: 14px; }
    header { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; padding: .6rem 1rem;
      background: #1d2330; color: #fff; position: sticky; top: 0; z-index: 2; }
    header a { color: #cfd6e4; text-decoration: none; padding: .2rem .4rem; border-radius: 4px; }
    header a.active, header a:hover { background: #33405a; color: #fff; }
    nav { display: flex; gap: .3rem; }
    #who { margin-left: auto; color: #aab3c5; font-size: 12px; }
    .live { font-size: 12px; padding: .15rem .5rem; border-radius: 999px; background: #555; }
    .live[data-state="live"] { background: var(--running); }
    .live[data-state="reconnecting"], .live[data-state="connecting"] { background: var(--starting); color: #222; }
    .live[data-state="worker"], .live[data-state="error"] { background: var(--failed); }
    main { padding: 1rem; }
    h2 { margin: .2rem 0 .8rem; font-size: 18px; }
    h3 { margin: 1.2rem 0 .5rem; font-size: 15px; }
    .note { color: var(--muted); }
    .error { color: var(--failed); }
    .map { display: flex; gap: .8rem; overflow-x: auto; align-items: flex-start; padding-bottom: .5rem; }
    .node { flex: 0 0 230px; background: #e9ecf1; border: 1px solid var(--line); border-radius: 8px; padding: .5rem; }
    .node[data-status="down"] { opacity: .6; }
    .node header { all: unset; display: block; margin-bottom: .4rem; }
    .node .name { font-weight: 600; word-break: break-all; }
    .node .meta { color: var(--muted); font-size: 12px; line-height: 1.4; }
    .leader-mark { color: var(--accent); font-weight: 600; }
    .tasks { display: flex; flex-direction: column; gap: .3rem; min-height: 1rem; }
    .task { background: var(--card); border-left: 5px solid var(--pending); border-radius: 4px; padding: .3rem .45rem;
      font-size: 12px; cursor: default; box-shadow: 0 1px 1px #0001; }
    .task:focus { outline: 2px solid var(--accent); }
    .task .svc { font-weight: 600; }
    .task .img { color: var(--muted); word-break: break-all; }
    .task[data-state="running"] { border-color: var(--running); }
    .task[data-state="starting"], .task[data-state="preparing"], .task[data-state="assigned"],
    .task[data-state="accepted"], .task[data-state="ready"] { border-color: var(--starting); }
    .task[data-state="failed"], .task[data-state="rejected"], .task[data-state="orphaned"] { border-color: var(--failed); background: #fdeeee; }
    .task[data-state="shutdown"], .task[data-state="complete"], .task[data-state="remove"] { border-color: var(--shutdown); color: var(--muted); }
    #tip { position: fixed; z-index: 5; max-width: 320px; background: #1d2330; color: #fff; font-size: 12px;
      padding: .4rem .6rem; border-radius: 6px; pointer-events: none; white-space: pre-wrap; }
    table { border-collapse: collapse; width: 100%; background: var(--card); border: 1px solid var(--line); }
    th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
    th { background: #eef1f5; font-weight: 600; }
    td.num { font-variant-numeric: tabular-nums; }
    .bar { width: 120px; height: 8px; background: var(--line); border-radius: 4px; overflow: hidden; display: inline-block; vertical-align: middle; }
    .bar > span { display: block; height: 100%; background: var(--accent); }
    .actions { display: flex; gap: .4rem; flex-wrap: wrap; margin: .5rem 0; align-items: center; }
    button, input, select { font: inherit; padding: .25rem .5rem; border: 1px solid var(--line); border-radius: 4px; background: #fff; }
    button { cursor: pointer; }
    button:hover { border-color: var(--accent); }
    pre { background: var(--card); border: 1px solid var(--line); padding: .6rem; overflow: auto; font-size: 12px; max-height: 24rem; }
    .diff .add { color: #1f7a43; }
    .diff .remove { color: #b42318; }
    .diff .replace { color: #8a5a00; }
    .timeline { list-style: none; margin: 0; padding: 0; }
    .timeline li { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .4rem .6rem; margin-bottom: .35rem; }
    .timeline time { color: var(--muted); font-size: 12px; margin-right: .5rem; }
    .timeline .actor { color: var(--accent); }
    .filters { display: flex; gap: .4rem; flex-wrap: wrap; margin-bottom: .8rem; }
    .worker { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem; max-width: 40rem; }
    @media (max-width: 640px) {
      main { padding: .5rem; }
      .node { flex-basis: 80vw; }
      table { font-size: 12px; }
      .hide-narrow { display: none; }
    }
    """#
}
