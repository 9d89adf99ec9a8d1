import Testing

@testable import ColmeiaModel

@Suite("IDGenerator")
struct IDGeneratorTests {
    @Test("ids are 25 lowercase base-36 characters")
    func shape() {
        var generator = IDGenerator(SeededRandom(seed: 42))
        for _ in 0..<200 {
            let id = generator.next()
            #expect(id.count == 25)
            #expect(ObjectID.isValid(id))
        }
        #expect(!ObjectID.isValid("ABCDEFGHIJKLMNOPQRSTUVWXY"))
        #expect(!ObjectID.isValid("short"))
    }

    @Test("the same seed gives the same ids; different seeds differ")
    func deterministic() {
        var first = IDGenerator(SeededRandom(seed: 7))
        var second = IDGenerator(SeededRandom(seed: 7))
        var other = IDGenerator(SeededRandom(seed: 8))
        let a = (0..<10).map { _ in first.next() }
        #expect(a == (0..<10).map { _ in second.next() })
        #expect(a != (0..<10).map { _ in other.next() })
        #expect(Set(a).count == 10)
    }

    @Test("base 36 of 17 bytes with the top bit set, first digit dropped, as SwarmKit does")
    func algorithm() {
        let bytes: [UInt8] = [0x80] + Array(1...16)
        #expect(ObjectID.base36(bytes) == "1hw05xdvcpbrfi4jekqvbjy4b2o")
        #expect(ObjectID.base36([UInt8](repeating: 0xFF, count: 17)) == "2zrw1727u0mgg6ugs60vxe42e4f")

        /// Yields the bytes 0x00, 0x01, … 0x10 (little-endian words).
        struct Counting: RandomNumberGenerator {
            var counter = 0
            mutating func next() -> UInt64 {
                var word: UInt64 = 0
                for shift in 0..<8 {
                    word |= UInt64(counter & 0xFF) << (8 * UInt64(shift))
                    counter += 1
                }
                return word
            }
        }
        var counting = Counting()
        #expect(ObjectID.generate(using: &counting) == "hw05xdvcpbrfi4jekqvbjy4b2")
    }
}
