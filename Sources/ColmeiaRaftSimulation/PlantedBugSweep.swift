/// Runs seeded scenarios with a bug planted until the checker reports a violation of a
/// property that reveals it: the proof that the sweep can fail.
public enum PlantedBugSweep {
    public struct Catch: Sendable {
        /// Seeds run, the catching one included.
        public var seedsRun: Int
        /// The violation that revealed the bug.
        public var violation: Violation
    }

    /// The first seed of `seeds` whose run breaks one of `bug.revealedBy`, or nil.
    public static func run(_ bug: PlantedBug, seeds: Range<UInt64>, ticks: Int = 300) -> Catch? {
        for (count, seed) in seeds.enumerated() {
            var simulation = Simulation(options: .scenario(seed: seed, ticks: ticks, plant: bug))
            if let violation = simulation.run().violations.first(where: { bug.revealedBy.contains($0.invariant) }) {
                return Catch(seedsRun: count + 1, violation: violation)
            }
        }
        return nil
    }
}
