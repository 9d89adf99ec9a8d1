import ColmeiaModel
import Foundation

/// The secrets and configs one task references, with their data, as its executor must
/// place them (secrets at `/run/secrets/NAME` unless the reference names a path).
public struct TaskFiles: Sendable, Hashable {
    public struct File: Sendable, Hashable {
        /// Where the task sees the file.
        public var target: String
        public var data: Data
        public var mode: UInt32
    }

    public var secrets: [File] = []
    public var configs: [File] = []
    /// The rest of what the node tells the task (its ports, its placeholders' values).
    public var context = TaskContext()

    public init(secrets: [File] = [], configs: [File] = [], context: TaskContext = TaskContext()) {
        self.secrets = secrets
        self.configs = configs
        self.context = context
    }

    /// Whether there is any file to place.
    public var hasFiles: Bool { !secrets.isEmpty || !configs.isEmpty }

    /// The files `task` references, from the node's current assignments. A reference to a
    /// secret the node was not sent is left out (the task then fails to find it).
    public init(for task: SwarmTask, secrets: [String: Secret], configs: [String: Config], context: TaskContext = TaskContext()) {
        self.context = context
        let spec = task.spec.containerSpec ?? ContainerSpec()
        for reference in spec.secrets {
            guard let data = secrets[reference.secretID]?.spec.data else { continue }
            let name = reference.file?.name ?? reference.secretName
            self.secrets.append(File(target: name.hasPrefix("/") ? name : "/run/secrets/" + name, data: data,
                                     mode: reference.file?.mode ?? 0o444))
        }
        for reference in spec.configs {
            guard let data = configs[reference.configID]?.spec.data, let file = reference.file else { continue }
            let name = file.name.isEmpty ? reference.configName : file.name
            self.configs.append(File(target: name.hasPrefix("/") ? name : "/" + name, data: data, mode: file.mode == 0 ? 0o444 : file.mode))
        }
    }

    /// Writes every file under `directory` (`secrets/…`, `configs/…`, by base name), owned
    /// by `owner` when given, returns each file's path on disk next to where the task sees
    /// it. The folders are the owner's alone; a file keeps its mode without group or other
    /// write permission.
    func write(under directory: String, owner: GuardedProcess.Identity? = nil) throws -> [(path: String, target: String)] {
        var written: [(String, String)] = []
        for (kind, files) in [("secrets", secrets), ("configs", configs)] where !files.isEmpty {
            let folder = directory + "/" + kind
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            for file in files {
                let path = folder + "/" + (file.target as NSString).lastPathComponent
                let mode = Int(file.mode & 0o755)
                guard FileManager.default.createFile(atPath: path, contents: file.data, attributes: [.posixPermissions: mode]) else {
                    throw TaskFailure("cannot write \(kind) file \(path)")
                }
                if let owner { chown(path, owner.uid, owner.gid) }
                written.append((path, file.target))
            }
            if let owner {
                chown(folder, owner.uid, owner.gid)
                chmod(folder, 0o500)
            }
        }
        return written
    }
}
