import ColmeiaModel
import GRDB

extension ClusterStore {
    /// The addresses of `networkID` that services (virtual IPs) and running tasks hold, as
    /// apply has claimed them: what an allocator must not hand out again.
    public func addressesInUse(on networkID: String) throws(QueryError) -> Set<UInt32> {
        try read { db in
            let rows = try String.fetchAll(db, sql: "SELECT address FROM network_addresses WHERE network_id = ?",
                                           arguments: [networkID])
            return Set(rows.compactMap(IPv4Subnet.parse))
        }
    }
}
