extension EndpointSpec {
    /// SwarmKit's `validateEndpointSpec` (no ingress ports with `dnsrr`, no published port
    /// twice for one protocol) plus Colmeia's checks of port numbers, protocols and publish
    /// modes, which dockerd would otherwise coerce silently.
    public func validate(field: String = "EndpointSpec") throws(ValidationError) {
        struct PublishedPort: Hashable {
            var port: UInt32
            var proto: PortProtocol
        }
        var seen = Set<PublishedPort>()
        for (index, port) in ports.enumerated() {
            let path = field + ".Ports[\(index)]"
            let proto = port.effectiveProtocol
            if !proto.isKnown {
                throw ValidationError(
                    field: path + ".Protocol", message: "EndpointSpec: invalid protocol \(goQuote(port.protocol.rawValue))")
            }
            if !port.effectivePublishMode.isKnown {
                throw ValidationError(
                    field: path + ".PublishMode",
                    message: "EndpointSpec: invalid publish mode \(goQuote(port.publishMode.rawValue))")
            }
            if port.targetPort > 65535 {
                throw ValidationError(
                    field: path + ".TargetPort",
                    message: "EndpointSpec: invalid target port \(port.targetPort): must be between 1 and 65535")
            }
            if port.publishedPort > 65535 {
                throw ValidationError(
                    field: path + ".PublishedPort",
                    message: "EndpointSpec: invalid published port \(port.publishedPort): must be between 1 and 65535")
            }
            if mode.canonical == .dnsrr, port.effectivePublishMode == .ingress {
                throw ValidationError(
                    field: path + ".PublishMode",
                    message: "EndpointSpec: port published with ingress mode can't be used with dnsrr mode")
            }
            if port.publishedPort == 0 { continue }
            if !seen.insert(PublishedPort(port: port.publishedPort, proto: proto)).inserted {
                throw ValidationError(
                    field: path + ".PublishedPort", message: "EndpointSpec: duplicate published ports provided")
            }
        }
    }
}

extension PortConfig {
    /// The protocol in force: `tcp` when empty; case is ignored as dockerd does.
    public var effectiveProtocol: PortProtocol {
        `protocol`.rawValue.isEmpty ? .tcp : (`protocol`.canonical ?? `protocol`)
    }

    /// The publish mode in force: `ingress` when empty; case is ignored as dockerd does.
    public var effectivePublishMode: PublishMode {
        publishMode.rawValue.isEmpty ? .ingress : (publishMode.canonical ?? publishMode)
    }
}
