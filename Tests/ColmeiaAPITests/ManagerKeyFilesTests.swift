import ColmeiaPKI
import Foundation
import Testing
@testable import ColmeiaAPI
@testable import ColmeiaCluster

/// Resealing a manager's key files with a new unlock key leaves them openable with one key
/// whatever point a crash stops it at.
@Suite struct ManagerKeyFilesTests {
    let directory = FileManager.default.temporaryDirectory.path + "/keyfiles-\(UUID().uuidString.prefix(8))"
    let tlsKey = Array("tls key".utf8)
    let dataKey = Array("data key".utf8)
    var files: [(name: String, bytes: [UInt8])] { [("swarm-node.key", tlsKey), (ManagerKeyFiles.dataKeyName, dataKey)] }

    func readBoth(_ key: UnlockKey?) throws -> [[UInt8]?] {
        try files.map { try ManagerKeyFiles.read(directory, $0.name, unlockKey: key) }
    }

    func leftAside() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: ClusterCertificates.directory(directory))) ?? [])
            .filter { $0.hasSuffix(ManagerKeyFiles.nextSuffix) }
    }

    @Test func aCompleteResealNeedsTheNewKeyAndLeavesNothingAside() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let old = UnlockKey(), new = UnlockKey()
        try ManagerKeyFiles.reseal(files, directory, sealedWith: old)
        #expect(try readBoth(old) == [tlsKey, dataKey])
        try ManagerKeyFiles.reseal(files, directory, sealedWith: new)
        #expect(try readBoth(new) == [tlsKey, dataKey])
        #expect(throws: (any Error).self) { try readBoth(old) }
        #expect(throws: DockerAPIError.self) { try readBoth(nil) }
        #expect(leftAside().isEmpty)
    }

    @Test func cutShortBeforeTheRenamesTheOldKeyStillOpensEverything() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let old = UnlockKey(), new = UnlockKey()
        try ManagerKeyFiles.reseal(files, directory, sealedWith: old)
        // The crash: the first new file written aside, nothing renamed.
        try ManagerKeyFiles.write(tlsKey, directory, "swarm-node.key" + ManagerKeyFiles.nextSuffix, sealedWith: new, label: "swarm-node.key")
        #expect(try readBoth(old) == [tlsKey, dataKey])
        // The next reseal (the manager follows the swarm's key once unlocked) finishes the job.
        try ManagerKeyFiles.reseal(files, directory, sealedWith: new)
        #expect(try readBoth(new) == [tlsKey, dataKey])
    }

    @Test func cutShortDuringTheRenamesTheNewKeyOpensEverything() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let old = UnlockKey(), new = UnlockKey()
        try ManagerKeyFiles.reseal(files, directory, sealedWith: old)
        // The crash: both written aside, only the first renamed into place.
        for file in files {
            try ManagerKeyFiles.write(file.bytes, directory, file.name + ManagerKeyFiles.nextSuffix, sealedWith: new, label: file.name)
        }
        let certificates = ClusterCertificates.directory(directory)
        #expect(rename(certificates + "/swarm-node.key.next", certificates + "/swarm-node.key") == 0)
        #expect(throws: (any Error).self) { try readBoth(old) }
        #expect(try readBoth(new) == [tlsKey, dataKey])
        #expect(leftAside().isEmpty, "reading with the new key puts the copy in place")
    }

    @Test func aPlainWriteDropsAStaleCopyAside() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let old = UnlockKey(), new = UnlockKey()
        try ManagerKeyFiles.write(Array("stale".utf8), directory, "swarm-node.key" + ManagerKeyFiles.nextSuffix, sealedWith: new,
                                  label: "swarm-node.key")
        // A renewed certificate's key, written while unlocked with the old key.
        try ManagerKeyFiles.write(tlsKey, directory, "swarm-node.key", sealedWith: old)
        #expect(leftAside().isEmpty)
        #expect(try ManagerKeyFiles.read(directory, "swarm-node.key", unlockKey: old) == tlsKey)
    }
}
