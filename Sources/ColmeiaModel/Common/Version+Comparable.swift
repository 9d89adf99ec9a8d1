extension Version: Comparable, ExpressibleByIntegerLiteral {
    /// A version at Raft index `index`.
    public init(_ index: UInt64) { self.init(index: index) }

    public init(integerLiteral value: UInt64) { self.init(index: value) }

    public static func < (lhs: Version, rhs: Version) -> Bool { lhs.index < rhs.index }
}
