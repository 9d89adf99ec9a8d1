import Foundation

/// Configs and services as registers: the requests that create, update and read the `chaos`
/// label, and how their answers map to outcomes.
public enum RegisterAPI {
    static let label = "chaos"
    static let configData = Data("colmeia-chaos".utf8).base64EncodedString()

    static func spec(_ key: KeyPool.Key, value: String) -> [String: Any] {
        switch key.kind {
        case .config:
            return ["Name": key.name, "Data": configData, "Labels": [label: value]]
        case .service:
            return ["Name": key.name, "Labels": [label: value],
                    "TaskTemplate": ["ContainerSpec": ["Image": "busybox", "Command": ["sleep", "86400"]]],
                    "Mode": ["Replicated": ["Replicas": 0]]]
        }
    }

    static func path(_ key: KeyPool.Key) -> String { "/\(key.kind.rawValue)s" }

    /// Creates the key with `value`.
    public static func create(_ cluster: ChaosCluster, _ manager: Int, _ key: KeyPool.Key, value: String,
                              timeout: Double) -> (Outcome, String) {
        classifyWrite(created: true) { () throws(UnixHTTPClient.Failure) in
            try cluster.request(manager, "POST", path(key) + "/create", json: spec(key, value: value), timeout: timeout)
        }
    }

    /// Sets the label to `value` if the key is at `version`.
    public static func update(_ cluster: ChaosCluster, _ manager: Int, _ key: KeyPool.Key, version: UInt64, value: String,
                              timeout: Double) -> (Outcome, String) {
        classifyWrite(created: false) { () throws(UnixHTTPClient.Failure) in
            try cluster.request(manager, "POST", path(key) + "/\(key.name)/update?version=\(version)",
                                json: spec(key, value: value), timeout: timeout)
        }
    }

    /// Reads the key: its version and label, or absent.
    public static func read(_ cluster: ChaosCluster, _ manager: Int, _ key: KeyPool.Key,
                            timeout: Double) -> (Outcome, Observation?, String) {
        let answer: UnixHTTPClient.Response
        do {
            answer = try cluster.request(manager, "GET", path(key) + "/\(key.name)", timeout: timeout)
        } catch {
            return (.fail, nil, error.description)
        }
        if answer.status == 404 { return (.ok, .absent, "404") }
        guard answer.status == 200 else { return (.fail, nil, "\(answer.status) \(answer.text)") }
        guard let object = try? JSONSerialization.jsonObject(with: answer.body) as? [String: Any],
              let index = ((object["Version"] as? [String: Any])?["Index"] as? NSNumber)?.uint64Value else {
            return (.fail, nil, "200 without a version: \(answer.text.prefix(120))")
        }
        let value = ((object["Spec"] as? [String: Any])?["Labels"] as? [String: Any])?[label] as? String ?? ""
        return (.ok, .present(version: index, value: value), "200")
    }

    /// 201/200: applied. 504 or no answer: unknown. 503, 4xx, `update out of sequence`, or a
    /// request never sent: not applied. Any other answer: unknown (it may have applied).
    static func classifyWrite(created: Bool, _ send: () throws(UnixHTTPClient.Failure) -> UnixHTTPClient.Response) -> (Outcome, String) {
        let answer: UnixHTTPClient.Response
        do {
            answer = try send()
        } catch {
            switch error {
            case .notSent: return (.fail, error.description)
            case .noAnswer: return (.unknown, error.description)
            }
        }
        let detail = "\(answer.status) \(answer.text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(160))"
        switch answer.status {
        case created ? 201 : 200: return (.ok, detail)
        case 200..<300: return (.ok, detail)
        case 504: return (.unknown, detail)
        case 503, 400..<500: return (.fail, detail)
        case 500 where answer.text.contains("out of sequence"): return (.fail, detail)
        default: return (.unknown, detail)
        }
    }
}
