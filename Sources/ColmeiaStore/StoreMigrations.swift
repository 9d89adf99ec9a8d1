import Foundation
import GRDB

/// The numbered SQL files of the top-level `migrations/` folder, applied in order and
/// recorded by GRDB's migrator (table `grdb_migrations`), so a database is brought up to
/// date at start-up and never migrated twice.
enum StoreMigrations {
    struct File: Sendable {
        var identifier: String
        var sql: String
    }

    /// The migration files shipped with the store, sorted by their number.
    static func files() throws(StoreError) -> [File] {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw .schema("the migrations folder is missing from the ColmeiaStore resources")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw .schema("cannot list \(directory.path): \(error)")
        }
        var files: [File] = []
        for name in names.sorted() where name.hasSuffix(".sql") {
            guard name.prefix(while: \.isNumber).count == 4 else {
                throw .schema("migration \(name) must start with a four-digit number")
            }
            do {
                let sql = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
                files.append(File(identifier: String(name.dropLast(4)), sql: sql))
            } catch {
                throw .schema("cannot read migration \(name): \(error)")
            }
        }
        return files
    }

    static func migrator() throws(StoreError) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for file in try files() {
            migrator.registerMigration(file.identifier) { db in
                try db.execute(sql: file.sql)
            }
        }
        return migrator
    }
}

extension ClusterStore {
    /// The newest read-model migration this build knows (`0003_network_claims`): a
    /// snapshot written by it carries that schema.
    public static var schemaVersion: String {
        (try? StoreMigrations.files().last?.identifier) ?? "unknown"
    }
}
