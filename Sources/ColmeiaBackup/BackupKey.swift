import Crypto
import CryptoExtras
import Foundation

/// The random key a backup's parts are encrypted with, and its sealing under a key derived
/// from a passphrase with scrypt: a stolen backup reveals no secret without the passphrase,
/// and each backup has a key of its own (the swarm's data key never leaves the managers).
public struct BackupKey: Sendable {
    /// scrypt cost: N = 2^15, r = 8, p = 1 (32 MiB, about 0.1 s), as OWASP advises for
    /// interactive use.
    static let logN = 15
    static let r = 8
    static let p = 1
    static let sealedKeyLabel = Array("colmeia-backup/1 key".utf8)

    let content: SymmetricKey

    /// A fresh random key.
    public init() {
        content = SymmetricKey(size: .bits256)
    }

    init(content: SymmetricKey) {
        self.content = content
    }

    /// Seals this key with `passphrase`, describing how in the manifest's terms.
    func sealed(with passphrase: String, sealedWith: String, chunkBytes: Int) throws(BackupError) -> BackupManifest.Encryption {
        var salt = [UInt8](repeating: 0, count: 16)
        var random = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = UInt8.random(in: 0...255, using: &random) }
        do {
            let wrapping = try Self.derive(passphrase, salt: salt, logN: Self.logN, r: Self.r, p: Self.p)
            let keyBytes = content.withUnsafeBytes { Array($0) }
            guard let sealed = try AES.GCM.seal(keyBytes, using: wrapping, authenticating: Self.sealedKeyLabel).combined else {
                throw BackupError.io("cannot seal the backup key")
            }
            return BackupManifest.Encryption(
                cipher: "AES-256-GCM", compression: "deflate", chunkBytes: chunkBytes, keyDerivation: "scrypt", sealedWith: sealedWith,
                scryptLogN: Self.logN, scryptR: Self.r, scryptP: Self.p,
                salt: Data(salt).base64EncodedString(), sealedKey: sealed.base64EncodedString())
        } catch let error as BackupError {
            throw error
        } catch {
            throw .io("cannot seal the backup key: \(error)")
        }
    }

    /// Opens the key a manifest describes; a wrong passphrase (or an altered key) fails.
    static func open(_ encryption: BackupManifest.Encryption, passphrase: String) throws(BackupError) -> BackupKey {
        guard encryption.cipher == "AES-256-GCM", encryption.keyDerivation == "scrypt", encryption.compression == "deflate" else {
            throw .malformed("unknown encryption \(encryption.cipher) with \(encryption.keyDerivation), compression \(encryption.compression)")
        }
        // Bounded so that a forged manifest cannot make the reader allocate without limit.
        guard (10...20).contains(encryption.scryptLogN), (1...16).contains(encryption.scryptR),
              (1...4).contains(encryption.scryptP) else {
            throw .malformed("scrypt parameters out of range (log2 N \(encryption.scryptLogN), r \(encryption.scryptR), p \(encryption.scryptP))")
        }
        guard let salt = Data(base64Encoded: encryption.salt), let sealed = Data(base64Encoded: encryption.sealedKey) else {
            throw .malformed("the manifest's salt or sealed key is not base64")
        }
        let wrapping: SymmetricKey
        do {
            wrapping = try derive(passphrase, salt: [UInt8](salt), logN: encryption.scryptLogN, r: encryption.scryptR, p: encryption.scryptP)
        } catch {
            throw .malformed("cannot derive the backup key: \(error)")
        }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            let bytes = try AES.GCM.open(box, using: wrapping, authenticating: sealedKeyLabel)
            guard bytes.count == 32 else { throw BackupError.wrongPassphrase }
            return BackupKey(content: SymmetricKey(data: bytes))
        } catch {
            throw .wrongPassphrase
        }
    }

    private static func derive(_ passphrase: String, salt: [UInt8], logN: Int, r: Int, p: Int) throws -> SymmetricKey {
        try KDF.Scrypt.deriveKey(from: Array(passphrase.utf8), salt: salt, outputByteCount: 32,
                                 rounds: 1 << logN, blockSize: r, parallelism: p)
    }

    /// Nonce and associated data of one chunk: its part, its place, and whether it is the last.
    static func chunkBinding(part: Int, name: String, chunk: UInt64, final: Bool) -> (nonce: [UInt8], aad: [UInt8]) {
        var nonce = [UInt8](repeating: 0, count: 12)
        nonce[3] = UInt8(truncatingIfNeeded: part)
        for shift in 0..<8 { nonce[4 + shift] = UInt8(truncatingIfNeeded: chunk >> (8 * UInt64(7 - shift))) }
        let aad = Array("\(BackupManifest.currentFormat)|\(name)|\(chunk)|\(final ? 1 : 0)".utf8)
        return (nonce, aad)
    }

    func seal(_ plain: ArraySlice<UInt8>, part: Int, name: String, chunk: UInt64, final: Bool) throws(BackupError) -> [UInt8] {
        let binding = Self.chunkBinding(part: part, name: name, chunk: chunk, final: final)
        do {
            let box = try AES.GCM.seal(plain, using: content, nonce: try AES.GCM.Nonce(data: binding.nonce), authenticating: binding.aad)
            return Array(box.ciphertext) + Array(box.tag)
        } catch {
            throw .io("cannot encrypt the backup: \(error)")
        }
    }

    func open(_ stored: ArraySlice<UInt8>, part: Int, name: String, chunk: UInt64, final: Bool) throws -> [UInt8] {
        let binding = Self.chunkBinding(part: part, name: name, chunk: chunk, final: final)
        guard stored.count >= 16 else { throw BackupError.malformed("chunk shorter than its tag") }
        let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: binding.nonce),
                                        ciphertext: stored.dropLast(16), tag: stored.suffix(16))
        return Array(try AES.GCM.open(box, using: content, authenticating: binding.aad))
    }
}
