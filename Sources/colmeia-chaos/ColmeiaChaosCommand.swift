import ArgumentParser
import ColmeiaChaos
import Foundation

@main
struct ColmeiaChaosCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "colmeia-chaos",
        abstract: "Real colmeiad managers in network namespaces under seeded faults; checks linearizability, durability and recovery.",
        discussion: """
            Needs root (network namespaces, iptables, tmpfs). Managers get 10.77.0.2… on a bridge \
            `cchaos-br`; everything named cchaos… is removed at the end, and at the start if an \
            earlier run left it. Exits non-zero on any anomaly, lost write, or recovery slower than 5 s.
            """)

    @Option(help: "How long to inject faults: 90s, 2m, 30m, 1h.")
    var duration: String = "2m"

    @Option(help: "Seeds the faults and the workload (default: from the clock).")
    var seed: UInt64?

    @Option(help: "3 or 5 managers.")
    var managers: Int = 3

    @Option(help: "Concurrent clients.")
    var clients: Int = 6

    @Option(help: "The colmeiad to run (default: next to colmeia-chaos).")
    var colmeiad: String?

    @Flag(help: "Keep the managers' logs, the history and the report (they are kept anyway when the run fails).")
    var keep = false

    func validate() throws {
        guard managers == 3 || managers == 5 else { throw ValidationError("--managers must be 3 or 5, not \(managers)") }
        guard DurationParser.seconds(duration) != nil else { throw ValidationError("--duration \(duration): write it as 90s, 2m, 30m or 1h") }
        guard (1...64).contains(clients) else { throw ValidationError("--clients must be between 1 and 64") }
    }

    func run() throws {
        let executable = colmeiad ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path + "/colmeiad"
        let options = ChaosRun.Options(managers: managers, duration: DurationParser.seconds(duration) ?? 120,
                                       seed: seed ?? UInt64(Date().timeIntervalSince1970 * 1000), keep: keep,
                                       clients: clients, executable: executable)
        let run = ChaosRun(options)
        Interruption.install(run)
        let report: ChaosReport
        do {
            report = try run.run()
        } catch {
            print("colmeia-chaos: \(error)")
            throw ExitCode(2)
        }
        print(report.render())
        if !report.passed { throw ExitCode(1) }
    }
}
