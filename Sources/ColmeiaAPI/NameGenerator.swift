/// Docker-style names (`adjective_surname`) for services created without one.
enum NameGenerator {
    private static let adjectives = ["admiring", "brave", "clever", "dazzling", "eager", "focused", "gallant",
                                     "happy", "inspiring", "jolly", "keen", "lucid", "modest", "nifty", "optimistic",
                                     "quirky", "relaxed", "serene", "tender", "upbeat", "vibrant", "wizardly", "zealous"]
    private static let surnames = ["abelha", "babbage", "curie", "dijkstra", "euler", "franklin", "goldberg",
                                   "hopper", "johnson", "knuth", "lamport", "liskov", "mirzakhani", "noether",
                                   "ongaro", "ousterhout", "perlman", "ritchie", "shannon", "turing", "wozniak"]

    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return "\(adjectives.randomElement(using: &generator) ?? "brave")_\(surnames.randomElement(using: &generator) ?? "abelha")"
    }
}
