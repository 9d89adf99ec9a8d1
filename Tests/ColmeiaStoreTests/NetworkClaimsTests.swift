import ColmeiaModel
import Foundation
import Testing
@testable import ColmeiaStore

/// What the data plane hands out is handed out once, decided by apply on every manager.
@Suite struct NetworkClaimsTests {
    static func publishing(_ id: String, name: String, port: UInt32, protocol proto: PortProtocol = .tcp) -> Service {
        var service = CommandFactory.service(id, name: name)
        service.endpoint = Endpoint(ports: [PortConfig(protocol: proto, targetPort: 80, publishedPort: port, publishMode: .ingress)])
        return service
    }

    static func network(_ id: String, _ subnet: String) -> Network {
        Network(name: id, id: id, scope: "swarm", driver: "overlay", ipam: IPAM(driver: "default", config: [IPAM.Config(subnet: subnet)]))
    }

    @Test("two services racing for ingress port 8080: the second command is refused in Docker's words; udp/8080 is another port; removing the first frees it")
    func ingressPorts() throws {
        let path = temporaryPath()
        defer { removeStore(path) }
        let store = try ClusterStore(path: path)
        var factory = CommandFactory()
        #expect(try store.apply(factory.createService(Self.publishing("a", name: "first", port: 8080)), index: 1, term: 1) == .applied(index: 1))
        let second = try store.apply(factory.createService(Self.publishing("b", name: "second", port: 8080)), index: 2, term: 1)
        #expect(second == .rejected(index: 2, reason: "port '8080' is already in use by service 'first' (a) as an ingress port"))
        #expect((try? store.get(Service.self, "b")) == nil)
        #expect(try store.apply(factory.createService(Self.publishing("c", name: "dns", port: 8080, protocol: .udp)), index: 3, term: 1)
            == .applied(index: 3))
        _ = try store.apply(ClusterCommand(envelope: factory.envelope(), events: [.serviceRemoved(id: "a")]), index: 4, term: 1)
        #expect(try store.apply(factory.createService(Self.publishing("b", name: "second", port: 8080)), index: 5, term: 1) == .applied(index: 5))
    }

    @Test("an address is one service's or one task's; a task's address is free again once it ended; subnets never overlap")
    func addresses() throws {
        let path = temporaryPath()
        defer { removeStore(path) }
        let store = try ClusterStore(path: path)
        var factory = CommandFactory()
        _ = try store.apply(ClusterCommand(envelope: factory.envelope(), events: [.networkCreated(Self.network("net1", "10.9.0.0/24"))]),
                            index: 1, term: 1)
        let overlap = try store.apply(ClusterCommand(envelope: factory.envelope(),
                                                     events: [.networkCreated(Self.network("net2", "10.9.0.128/25"))]), index: 2, term: 1)
        #expect(overlap == .rejected(index: 2, reason: "invalid pool request: Pool overlaps with other one on this address space"))
        var service = CommandFactory.service("svc", name: "api")
        service.endpoint.virtualIPs = [EndpointVirtualIP(networkID: "net1", addr: "10.9.0.254/24")]
        _ = try store.apply(factory.createService(service), index: 3, term: 1)
        var task = CommandFactory.task("t1", service: "svc", slot: 1)
        task.networksAttachments = [NetworkAttachment(network: AttachedNetwork(id: "net1"), addresses: ["10.9.0.254/24"])]
        let clash = try store.apply(ClusterCommand(envelope: factory.envelope(), events: [.taskCreated(task)]), index: 4, term: 1)
        #expect(clash == .rejected(index: 4, reason: "address 10.9.0.254 on network net1 is already taken by service svc"))
        task.networksAttachments[0].addresses = ["10.9.0.2/24"]
        #expect(try store.apply(ClusterCommand(envelope: factory.envelope(), events: [.taskCreated(task)]), index: 5, term: 1) == .applied(index: 5))
        #expect(try store.addressesInUse(on: "net1") == [IPv4Subnet.parse("10.9.0.2")!, IPv4Subnet.parse("10.9.0.254")!])
        _ = try store.apply(ClusterCommand(envelope: factory.envelope(), events: [
            .taskStatusChanged(taskID: "t1", status: TaskStatus(state: .failed, err: "task: non-zero exit (1)")),
        ]), index: 6, term: 1)
        #expect(try store.addressesInUse(on: "net1") == [IPv4Subnet.parse("10.9.0.254")!])
    }
}
