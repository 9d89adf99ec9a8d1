extension NetworkCreateRequest {
    /// The label SwarmKit reserves for its predefined networks.
    public static let predefinedLabel = "com.docker.swarm.predefined"

    /// SwarmKit's `validateNetworkSpec` and `validateIPAMConfiguration`.
    public func validate() throws(ValidationError) {
        if attachable && ingress {
            throw ValidationError(field: "Attachable", message: "ingress network cannot be attachable")
        }
        try NameRules.validateAnnotationsName(name, field: "Name")
        if labels[Self.predefinedLabel] != nil {
            throw ValidationError(
                field: "Labels",
                message: "label \(Self.predefinedLabel) is for internally created predefined networks and cannot be applied by users")
        }
        for (index, config) in (ipam?.config ?? []).enumerated() {
            try config.validate(field: "IPAM.Config[\(index)]")
        }
    }
}

extension IPAM.Config {
    /// SwarmKit's `validateIPAMConfiguration`: a CIDR subnet that contains the range and gateway.
    func validate(field: String) throws(ValidationError) {
        guard let subnet = IPNetwork(self.subnet) else {
            throw ValidationError(field: field + ".Subnet", message: "ipam configuration: invalid subnet \(self.subnet)")
        }
        if !ipRange.isEmpty {
            guard let range = IPNetwork(ipRange) else {
                throw ValidationError(field: field + ".IPRange", message: "ipam configuration: invalid range \(ipRange)")
            }
            if !subnet.contains(range.address) {
                throw ValidationError(
                    field: field + ".IPRange",
                    message: "ipam configuration: subnet \(self.subnet) does not contain range \(ipRange)")
            }
        }
        if !gateway.isEmpty {
            guard let address = IPAddress(gateway) else {
                throw ValidationError(field: field + ".Gateway", message: "ipam configuration: invalid gateway \(gateway)")
            }
            if !subnet.contains(address) {
                throw ValidationError(
                    field: field + ".Gateway",
                    message: "ipam configuration: subnet \(self.subnet) does not contain gateway \(gateway)")
            }
        }
    }
}
