import Foundation
import Testing
@testable import ColmeiaModel

/// `SystemFile` reads the kernel's files whose size reads as 0 (and which may read empty),
/// where `String(contentsOfFile:)` leaks.
struct SystemFileTests {
    @Test("a /proc file whose size reads as 0 is read whole")
    func procFileReadWhole() throws {
        let stat = try #require(SystemFile.text(atPath: "/proc/self/stat"))
        #expect(stat.hasPrefix("\(getpid()) ("))
        let status = try #require(SystemFile.text(atPath: "/proc/self/status"))
        #expect(status.contains("VmRSS:"))
    }

    @Test("an empty file reads as empty text, a missing one as nil, and a large one up to the limit")
    func emptyMissingAndLimited() throws {
        let directory = FileManager.default.temporaryDirectory.path + "/colmeia-systemfile-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(FileManager.default.createFile(atPath: directory + "/empty", contents: Data()))
        #expect(SystemFile.text(atPath: directory + "/empty") == "")
        #expect(SystemFile.text(atPath: directory + "/missing") == nil)
        let large = String(repeating: "0123456789abcdef", count: 1_000)
        try large.write(toFile: directory + "/large", atomically: true, encoding: .utf8)
        #expect(SystemFile.text(atPath: directory + "/large") == large)
        #expect(SystemFile.text(atPath: directory + "/large", limit: 10_000) == String(large.prefix(10_000)))
    }
}
