import Foundation
import Testing

@testable import ColmeiaModel

@Suite("Node, secret, config, swarm and network validation")
struct SpecValidationTests {
    @Test("node role and availability")
    func nodeSpec() throws {
        try NodeSpec(role: .worker, availability: .active).validate()
        try NodeSpec(role: "Manager", availability: "DRAIN").validate()
        #expect(throws: ValidationError(field: "Role", message: "invalid Role: \"boss\"")) {
            try NodeSpec(role: "boss", availability: .active).validate()
        }
        #expect(throws: ValidationError(field: "Role", message: "invalid Role: \"\"")) {
            try NodeSpec(availability: .active).validate()
        }
        #expect(throws: ValidationError(field: "Availability", message: "invalid Availability: \"sleeping\"")) {
            try NodeSpec(role: .manager, availability: "sleeping").validate()
        }
        try decode(Node.self, DockerPayloads.nodeInspect).spec.validate()
    }

    @Test("secret names, drivers and data size")
    func secretSpec() throws {
        try decode(SecretSpec.self, DockerPayloads.secretCreate).validate()
        // Colmeia has no secret drivers: a driver is refused, never a way around the size limit.
        let driverError = ValidationError(field: "Driver", message: "secret drivers are not supported: give the secret's data")
        #expect(throws: driverError) { try SecretSpec(name: "app-dev.crt", driver: Driver(name: "vault")).validate() }
        #expect(throws: driverError) {
            try SecretSpec(name: "big", data: Data(count: 5 << 20), driver: Driver(name: "vault")).validate()
        }
        try SecretSpec(name: "a", data: Data(count: 511_999)).validate()
        let sizeError = ValidationError(field: "Data", message: "secret data must be larger than 0 and less than 512000 bytes")
        #expect(throws: sizeError) { try SecretSpec(name: "big", data: Data(count: 512_000)).validate() }
        #expect(throws: sizeError) { try SecretSpec(name: "empty", data: Data()).validate() }
        #expect(throws: sizeError) { try SecretSpec(name: "none").validate() }
        #expect(throws: ValidationError(field: "Name", message: "name must be provided")) {
            try SecretSpec(data: Data("x".utf8)).validate()
        }
        let nameError = ValidationError(
            field: "Name",
            message: "invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]")
        for name in ["-x", "x.", "a b", "ä", String(repeating: "s", count: 65)] {
            #expect(throws: nameError) { try SecretSpec(name: name, data: Data("x".utf8)).validate() }
        }
        try SecretSpec(name: String(repeating: "s", count: 64), data: Data("x".utf8)).validate()
    }

    @Test("config names and data size")
    func configSpec() throws {
        try decode(Config.self, DockerPayloads.configInspect).spec.validate()
        try ConfigSpec(name: "c", data: Data(count: 1_023_999)).validate()
        #expect(throws: ValidationError(field: "Data", message: "config data must be larger than 0 and less than 1024000 bytes")) {
            try ConfigSpec(name: "c", data: Data(count: 1_024_000)).validate()
        }
        #expect(throws: ValidationError(field: "Name", message: "name must be provided")) {
            try ConfigSpec(data: Data("x".utf8)).validate()
        }
    }

    @Test("swarm spec: name, certificate expiry, heartbeat, external CA protocol")
    func swarmSpec() throws {
        let valid = try decode(Swarm.self, DockerPayloads.swarmInspect).spec
        try valid.validate()
        var spec = valid
        spec.name = "prod"
        #expect(throws: ValidationError(field: "Name", message: "modification of cluster name is not allowed")) {
            try spec.validate()
        }
        #expect(throws: ValidationError(field: "Name", message: "swarm spec must be named \"default\"")) {
            _ = try spec.validatedForInit()
        }
        spec.name = ""
        #expect(try spec.validatedForInit().name == "default")
        spec = valid
        spec.caConfig.nodeCertExpiry = 3_599_000_000_000
        #expect(throws: ValidationError(field: "CAConfig.NodeCertExpiry", message: "minimum certificate expiry time is: 1h0m0s")) {
            try spec.validate()
        }
        spec = valid
        spec.dispatcher.heartbeatPeriod = -1
        #expect(throws: ValidationError(field: "Dispatcher.HeartbeatPeriod", message: "heartbeat time period cannot be a negative duration")) {
            try spec.validate()
        }
        spec = valid
        spec.caConfig.externalCAs[0].protocol = "acme"
        #expect(throws: ValidationError(field: "CAConfig.ExternalCAs[0].Protocol", message: "invalid protocol: \"acme\"")) {
            try spec.validate()
        }
    }

    @Test("network create: name, ingress, reserved label, IPAM")
    func networkCreate() throws {
        let valid = try decode(NetworkCreateRequest.self, DockerPayloads.networkCreate)
        try valid.validate()
        var request = valid
        request.ingress = true
        #expect(throws: ValidationError(field: "Attachable", message: "ingress network cannot be attachable")) {
            try request.validate()
        }
        request = valid
        request.name = ""
        #expect(throws: ValidationError(field: "Name", message: "meta: name must be provided")) { try request.validate() }
        request = valid
        request.labels["com.docker.swarm.predefined"] = "true"
        #expect(throws: ValidationError(
            field: "Labels",
            message: "label com.docker.swarm.predefined is for internally created predefined networks and cannot be applied by users"
        )) { try request.validate() }

        func ipam(_ config: IPAM.Config) -> NetworkCreateRequest {
            var copy = valid
            copy.ipam = IPAM(driver: "default", config: [config])
            return copy
        }
        try ipam(IPAM.Config(subnet: "10.0.9.0/24", ipRange: "10.0.9.128/25", gateway: "10.0.9.1")).validate()
        try ipam(IPAM.Config(subnet: "fd00:1::/64", gateway: "fd00:1::1")).validate()
        let cases: [(IPAM.Config, ValidationError)] = [
            (.init(subnet: "10.0.9.0"), .init(field: "IPAM.Config[0].Subnet", message: "ipam configuration: invalid subnet 10.0.9.0")),
            (.init(subnet: "10.0.9.0/33"), .init(field: "IPAM.Config[0].Subnet", message: "ipam configuration: invalid subnet 10.0.9.0/33")),
            (.init(subnet: "300.0.0.0/8"), .init(field: "IPAM.Config[0].Subnet", message: "ipam configuration: invalid subnet 300.0.0.0/8")),
            (.init(subnet: "10.0.9.0/24", ipRange: "bogus"), .init(field: "IPAM.Config[0].IPRange", message: "ipam configuration: invalid range bogus")),
            (.init(subnet: "10.0.9.0/24", ipRange: "10.0.10.0/25"),
             .init(field: "IPAM.Config[0].IPRange", message: "ipam configuration: subnet 10.0.9.0/24 does not contain range 10.0.10.0/25")),
            (.init(subnet: "10.0.9.0/24", gateway: "10.0.9"), .init(field: "IPAM.Config[0].Gateway", message: "ipam configuration: invalid gateway 10.0.9")),
            (.init(subnet: "10.0.9.0/24", gateway: "10.0.8.1"),
             .init(field: "IPAM.Config[0].Gateway", message: "ipam configuration: subnet 10.0.9.0/24 does not contain gateway 10.0.8.1")),
            (.init(subnet: "fd00:1::/64", gateway: "10.0.0.1"),
             .init(field: "IPAM.Config[0].Gateway", message: "ipam configuration: subnet fd00:1::/64 does not contain gateway 10.0.0.1")),
        ]
        for (config, error) in cases {
            #expect(throws: error) { try ipam(config).validate() }
        }
    }
}
