import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import ColmeiaNode

/// The follower's verdict on a silent leader (docs/cluster.md, "Fast failover").
@Suite struct LeaderProbeTests {
    /// Whether each probe in turn makes the follower forget its leader.
    func verdicts(_ probes: [(LeaderProbe.Outcome, UInt64)]) -> [Bool] {
        var probe = LeaderProbe()
        return probes.map { probe.record($0.0, of: $0.1) }
    }

    @Test("one failed or slow probe does not depose a live leader; two in a row do")
    func slowConnectAlone() {
        #expect(verdicts([(.failed, 7), (.failed, 7)]) == [false, true])
        // Counting starts over after a verdict, after an answer, and for another leader.
        #expect(verdicts([(.failed, 7), (.failed, 7), (.failed, 7)]) == [false, true, false])
        #expect(verdicts([(.failed, 7), (.leads, 7), (.failed, 7)]) == [false, false, false])
        #expect(verdicts([(.failed, 7), (.failed, 8), (.failed, 8)]) == [false, false, true])
    }

    @Test("a refused connection or a leader that no longer leads is believed at once")
    func fastFailover() {
        #expect(verdicts([(.refused, 7)]) == [true])
        #expect(verdicts([(.doesNotLead, 7)]) == [true])
        #expect(verdicts([(.leads, 7)]) == [false])
    }

    @Test("a connect to a closed port is a refusal; to a listening one, accepted")
    func connectOutcomes() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(server.localAddress?.port)
        #expect(await ClusterTransport.connect("127.0.0.1:\(port)") == .accepted)
        try await server.close()
        #expect(await ClusterTransport.connect("127.0.0.1:\(port)") == .refused)
        #expect(await ClusterTransport.connect("no-port-here") == .failed)
    }
}
