import ColmeiaChaos
import Dispatch
import Foundation

/// Ctrl-C or SIGTERM: remove the namespaces, links, mounts and managers before exiting.
enum Interruption {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    static func install(_ run: ChaosRun) {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                print("colmeia-chaos: interrupted; cleaning up")
                run.cleanUp(keepFiles: true)
                exit(130)
            }
            source.resume()
            sources.append(source)
        }
    }
}
