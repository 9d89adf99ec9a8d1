import ColmeiaModel
import Foundation

/// Something subscriptions may want to hear about, waiting to be queued as deliveries. Its
/// key names the condition once (`node.down/NODE/INDEX`), so a delivery for it is queued
/// once per subscription (delivery names are unique).
public struct PendingNotice: Sendable, Hashable {
    public var key: String
    public var event: String
    public var payload: JSONValue

    public init(key: String, event: String, payload: JSONValue) {
        self.key = key
        self.event = event
        self.payload = payload
    }

    /// A node stopped answering its dispatcher (its status became `down` at `index`).
    static func nodeDown(_ node: Node, index: UInt64, time: Timestamp) -> PendingNotice {
        PendingNotice(key: "node.down/\(node.id)/\(index)", event: "node.down", payload: .object([
            "Event": .string("node.down"),
            "Time": .string(time.rfc3339),
            "Node": .object([
                "ID": .string(node.id),
                "Hostname": .string(node.description.hostname),
                "Role": .string(node.spec.role.rawValue),
                "Addr": .string(node.status.addr),
                "Message": .string(node.status.message),
            ]),
        ]))
    }

    /// The scheduler found no node for a task of `service` (told once per service version).
    static func unschedulable(_ service: Service, message: String, time: Timestamp) -> PendingNotice {
        PendingNotice(key: "service.unschedulable/\(service.id)/\(service.version.index)", event: "service.unschedulable",
                      payload: .object([
                          "Event": .string("service.unschedulable"),
                          "Time": .string(time.rfc3339),
                          "Service": .object(["ID": .string(service.id), "Name": .string(service.spec.name)]),
                          "Message": .string(message),
                      ]))
    }

    /// A deploy reached its outcome.
    static func deployEnded(_ deploy: Deploy, time: Timestamp) -> PendingNotice {
        let event = "deploy." + deploy.state.rawValue
        let object = (try? JSONValue(encoding: deploy)) ?? .null
        return PendingNotice(key: "deploy/\(deploy.id)/\(deploy.state.rawValue)", event: event,
                             payload: .object(["Event": .string(event), "Time": .string(time.rfc3339), "Deploy": object]))
    }

    /// The deliveries of this notice, one per subscription that wants it.
    func deliveries(to subscriptions: [NotificationSubscription], newID: () -> String) -> [ClusterEvent] {
        subscriptions.filter { $0.spec.wants(event) }.sorted { $0.id < $1.id }.map {
            .deliveryCreated(NotificationDelivery(id: newID(), subscriptionID: $0.id, key: key, event: event, payload: payload))
        }
    }
}
