/// The last indexes of the append messages sent to one follower and not yet acknowledged,
/// oldest first; bounds pipelining so a slow follower cannot make the leader buffer without end.
struct Inflights: Sendable {
    let capacity: Int
    private var buffer: [UInt64]
    private var start = 0
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        buffer = Array(repeating: 0, count: capacity)
    }

    var isFull: Bool { count == capacity }

    mutating func add(_ index: UInt64) {
        guard !isFull else { return }
        buffer[(start + count) % capacity] = index
        count += 1
    }

    /// Frees every in-flight message whose last index is at or below `index`.
    mutating func free(upTo index: UInt64) {
        while count > 0, buffer[start] <= index {
            start = (start + 1) % capacity
            count -= 1
        }
    }

    mutating func freeFirst() {
        guard count > 0 else { return }
        start = (start + 1) % capacity
        count -= 1
    }

    mutating func reset() {
        start = 0
        count = 0
    }
}
