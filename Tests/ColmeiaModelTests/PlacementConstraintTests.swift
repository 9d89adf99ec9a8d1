import Testing

@testable import ColmeiaModel

@Suite("Placement constraints")
struct PlacementConstraintTests {
    @Test("parses SwarmKit's syntax")
    func parses() throws {
        let constraints = try PlacementConstraint.parse([
            "node.role==manager", " node.labels.zone != east ", "engine.labels.os==linux", "node.hostname==web-[0-9]*",
        ])
        #expect(constraints == [
            PlacementConstraint(key: "node.role", op: .equal, value: "manager"),
            PlacementConstraint(key: "node.labels.zone", op: .notEqual, value: "east"),
            PlacementConstraint(key: "engine.labels.os", op: .equal, value: "linux"),
            PlacementConstraint(key: "node.hostname", op: .equal, value: "web-[0-9]*"),
        ])
        #expect(constraints[1].description == "node.labels.zone!=east")
    }

    @Test("rejects bad expressions with SwarmKit's messages", arguments: [
        ("node.role=manager", "constraint expected one operator from ==, !="),
        ("node.role", "constraint expected one operator from ==, !="),
        ("node.role>=manager", "constraint expected one operator from ==, !="),
        ("==manager", "key '' is invalid"),
        ("n==manager", "key 'n' is invalid"),
        ("1node==manager", "key '1node' is invalid"),
        ("node role==manager", "key 'node role' is invalid"),
        ("node.role==", "value '' is invalid"),
        ("node.role==man<ager", "value 'man<ager' is invalid"),
        ("node.role==a==b", "value 'a==b' is invalid"),
    ])
    func rejects(expression: String, message: String) {
        #expect(throws: ValidationError(field: "Constraints", message: message)) {
            try PlacementConstraint(parsing: expression)
        }
    }

    @Test("matching ignores case; != matches when no value is equal")
    func matches() {
        let equal = PlacementConstraint(key: "node.role", op: .equal, value: "Manager")
        #expect(equal.matches(["manager"]))
        #expect(!equal.matches(["worker"]))
        #expect(!equal.matches([]))
        let notEqual = PlacementConstraint(key: "node.labels.zone", op: .notEqual, value: "east")
        #expect(notEqual.matches(["west"]))
        #expect(notEqual.matches([]))
        #expect(!notEqual.matches(["EAST"]))
    }
}
