import Testing
@testable import ColmeiaPKI

@Suite struct JoinTokenTests {
    let digest: [UInt8] = (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }

    @Test func generatedTokenHasSwarmKitsShapeAndParsesBack() throws {
        var rng = SeededGenerator(seed: 1)
        let token = JoinToken.generate(rootCA: digest, using: &rng)
        let text = token.description
        #expect(text.count == 85)
        #expect(text.hasPrefix("SWMTKN-1-"))
        let parts = text.split(separator: "-")
        #expect(parts.count == 4 && parts[2].count == 50 && parts[3].count == 25)
        let parsed = try JoinToken(parsing: text)
        #expect(parsed == token)
        #expect(parsed.rootCADigest == digest)
        #expect(parsed.secret == token.secret)
        #expect(parsed.version == 1 && !parsed.mandatesFIPS)
    }

    @Test func base36MatchesGosBigIntText() {
        // Go: new(big.Int).SetBytes(b).Text(36), zero-padded to 50.
        var one = [UInt8](repeating: 0, count: 32)
        one[31] = 1
        #expect(Base36.encode(one, paddedTo: 50) == String(repeating: "0", count: 49) + "1")
        #expect(Base36.encode([0x01, 0x00], paddedTo: 0) == "74") // 256 = 7*36 + 4
        let max = [UInt8](repeating: 0xFF, count: 32)
        let text = Base36.encode(max, paddedTo: 50)
        #expect(text == "6dp5qcb22im238nr3wvp0ic7q99w035jmy2iw7i6n43d37jtof") // (2^256 - 1) in base 36 (from Python's int)
        #expect(Base36.decode(text[...], byteCount: 32) == max)
        #expect(Base36.decode("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", byteCount: 32) == nil)
        let sixteen = [UInt8](repeating: 0xFF, count: 16)
        #expect(Base36.encode(sixteen, paddedTo: 25).count == 25)
    }

    @Test func secretsDifferAndComeFromTheGivenGenerator() {
        var a = SeededGenerator(seed: 42)
        var b = SeededGenerator(seed: 42)
        let first = JoinToken.generate(rootCA: digest, using: &a)
        #expect(first == JoinToken.generate(rootCA: digest, using: &b))
        #expect(first != JoinToken.generate(rootCA: digest, using: &a))
    }

    @Test(arguments: [
        "",
        "SWMTKN",
        "SWMTKN-1",
        "SWMTKN-1-abc-def",
        "SWMTKN-3-\(String(repeating: "0", count: 50))-\(String(repeating: "0", count: 25))",
        "XXMTKN-1-\(String(repeating: "0", count: 50))-\(String(repeating: "0", count: 25))",
        "SWMTKN-1-\(String(repeating: "0", count: 49))-\(String(repeating: "0", count: 25))",
        "SWMTKN-1-\(String(repeating: "0", count: 50))-\(String(repeating: "0", count: 26))",
        "SWMTKN-1-\(String(repeating: "0", count: 49))!-\(String(repeating: "0", count: 25))",
        "SWMTKN-1-\(String(repeating: "z", count: 50))-\(String(repeating: "0", count: 25))",
        "SWMTKN-1-x-\(String(repeating: "0", count: 50))-\(String(repeating: "0", count: 25))",
        "SWMTKN-2-2-\(String(repeating: "0", count: 50))-\(String(repeating: "0", count: 25))",
    ])
    func malformedTokensAreRefusedWithDockersMessage(text: String) {
        let error = #expect(throws: JoinTokenError.invalid) { try JoinToken(parsing: text) }
        #expect(error?.description == "invalid join token")
    }

    @Test func version2TokensParse() throws {
        let body = "\(String(repeating: "0", count: 49))1-\(String(repeating: "a", count: 25))"
        let token = try JoinToken(parsing: "SWMTKN-2-1-" + body)
        #expect(token.version == 2 && token.mandatesFIPS)
        #expect(token.rootCADigest.last == 1)
    }

    @Test func aTokenForAnotherCADoesNotMatch() throws {
        let ca = try ClusterRootCA.create(clusterID: "c", now: .init(timeIntervalSince1970: 0))
        let other = try ClusterRootCA.create(clusterID: "c", now: .init(timeIntervalSince1970: 0))
        var rng = SeededGenerator(seed: 3)
        let token = try JoinToken(parsing: JoinToken.generate(rootCA: ca.digest, using: &rng).description)
        #expect(token.matches(caDigest: ca.digest))
        #expect(!token.matches(caDigest: other.digest))
        #expect(token.rootCADigestHex == String(ca.digestString.dropFirst("sha256:".count)))
    }

    @Test func tokensGrantTheirRoleAndRotatedTokensStopWorking() throws {
        var rng = SeededGenerator(seed: 9)
        var tokens = JoinTokens.generate(rootCA: digest, using: &rng)
        #expect(tokens.worker != tokens.manager)
        #expect(try tokens.role(presenting: tokens.worker.description) == .worker)
        #expect(try tokens.role(presenting: tokens.manager.description) == .manager)
        #expect(tokens.token(for: .manager) == tokens.manager)
        let oldWorker = tokens.worker
        tokens.rotate(.worker, rootCA: digest, using: &rng)
        let error = #expect(throws: JoinTokenError.notAccepted) { try tokens.role(presenting: oldWorker.description) }
        #expect(error?.description == "A valid join token is necessary to join this cluster")
        #expect(try tokens.role(presenting: tokens.worker.description) == .worker)
        #expect(throws: JoinTokenError.invalid) { try tokens.role(presenting: "SWMTKN-1-nope") }
    }

    @Test func constantTimeEqualityComparesWholeInputs() {
        #expect(ConstantTime.equal([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2]))
        #expect(ConstantTime.equal([UInt8](), [UInt8]()))
    }
}
