import Foundation

/// Writes files so that a reader sees either the old file or the whole new one, never a part:
/// the bytes go to a temporary file beside the destination, are flushed, and are renamed over it.
///
/// Destinations are checked first (``checkDestination(_:)``): a symbolic link is written through
/// to its target, anything that is not a regular file (a FIFO, a device, a folder, a socket) is
/// refused, and so is a file this process reads as an input (``registerInput(_:)``: files read
/// with ``read(_:)`` and the journals). Temporary files are named `.NAME.tmp-PID-RANDOM`; those
/// of dead processes (a run killed while writing) are removed by the next write of the same
/// destination and by ``removeLeftovers(inFolder:)``.
public enum AtomicFile {
    /// Writes `data` to `path` atomically. Throws with the path in the message.
    public static func write(_ data: Data, to path: String) throws {
        let (destination, temporary) = try prepare(path)
        guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
            throw FileError(path: path, reason: "cannot create a file in \(folder(of: destination))")
        }
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
            try commit(temporary, to: destination, path: path)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            if let e = error as? FileError { throw e }
            throw FileError(path: path, reason: "\(error.localizedDescription)")
        }
    }

    /// The path a write to `path` really replaces: `path` itself, or the target of the symbolic
    /// link at `path`. Throws a ``FileError`` when its folder is missing, when it exists and is not
    /// a regular file, or when it is an input of this process.
    @discardableResult
    public static func checkDestination(_ path: String) throws -> String {
        var resolved = path
        var info = stat()
        if lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK {
            guard let real = realpath(path, nil) else {
                throw FileError(path: path, reason: "is a symbolic link to a missing file; give the target's path or remove the link")
            }
            resolved = String(cString: real)
            free(real)
        }
        let directory = folder(of: resolved)
        var folderInfo = stat()
        guard stat(directory, &folderInfo) == 0, folderInfo.st_mode & S_IFMT == S_IFDIR else {
            throw FileError(path: path, reason: "its folder \(directory) does not exist")
        }
        if stat(resolved, &info) == 0 {
            let kind = info.st_mode & S_IFMT
            guard kind == S_IFREG else {
                let what = kind == S_IFIFO ? "a FIFO" : kind == S_IFDIR ? "a folder" : kind == S_IFCHR || kind == S_IFBLK ? "a device" : kind == S_IFSOCK ? "a socket" : "not a regular file"
                throw FileError(path: path, reason: "is \(what); outputs are written only to regular files (give a file path)")
            }
            if inputs.withLock({ $0.contains(FileIdentity(info)) }) {
                throw FileError(path: path, reason: "is also an input of this command; give the output another name")
            }
        }
        if inputPaths.withLock({ $0.contains(standardized(resolved)) }) {
            throw FileError(path: path, reason: "is also an input of this command; give the output another name")
        }
        return resolved
    }

    /// Records `path` as an input of this process, so that no output replaces it. A missing file
    /// is recorded when it is created by ``JSONLinesJournal``.
    public static func registerInput(_ path: String) {
        var info = stat()
        if stat(path, &info) == 0 { _ = inputs.withLock { $0.insert(FileIdentity(info)) } }
        _ = inputPaths.withLock { $0.insert(standardized(path)) }
    }

    /// Throws a ``FileError`` when `path` exists and is not a regular file (after symbolic links):
    /// files that are appended to in place, such as journals.
    public static func checkRegularOrMissing(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw FileError(path: path, reason: "is not a regular file; give a file path")
        }
    }

    static func standardized(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

    /// A fresh temporary path beside `destination`: `.NAME.tmp-PID-RANDOM`.
    public static func temporaryPath(for destination: String) -> String {
        let url = URL(fileURLWithPath: destination)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    }

    /// The start of a write to `path`: the checked destination (``checkDestination(_:)``), with the
    /// leftovers of dead processes beside it removed, and a fresh temporary path for the bytes.
    public static func prepare(_ path: String) throws -> (destination: String, temporary: String) {
        let destination = try checkDestination(path)
        removeLeftovers(of: destination)
        return (destination, temporaryPath(for: destination))
    }

    /// Renames the finished `temporary` over `destination`, as ``prepare(_:)`` returned it for
    /// `path` (named in errors).
    public static func commit(_ temporary: String, to destination: String, path: String) throws {
        if rename(temporary, destination) != 0 {
            throw FileError(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Removes the temporary files of dead processes beside `destination` (a write killed midway).
    public static func removeLeftovers(of destination: String) {
        let url = URL(fileURLWithPath: destination)
        removeLeftovers(inFolder: url.deletingLastPathComponent().path, name: url.lastPathComponent)
    }

    /// Removes every temporary file of a dead process in `folder` (or those of `name` only).
    public static func removeLeftovers(inFolder folder: String, name: String? = nil) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for entry in entries where entry.hasPrefix(".") {
            guard let range = entry.range(of: ".tmp-", options: .backwards) else { continue }
            let base = String(entry[entry.index(after: entry.startIndex)..<range.lowerBound])
            if let name, base != name { continue }
            let fields = entry[range.upperBound...].split(separator: "-")
            guard fields.count == 2, let pid = Int32(fields[0]), UInt32(fields[1]) != nil else { continue }
            if pid == getpid() || kill(pid, 0) == 0 || errno != ESRCH { continue }   // alive, or not ours to judge
            try? FileManager.default.removeItem(atPath: folder + "/" + entry)
        }
    }

    static func folder(of path: String) -> String {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return directory.isEmpty ? "." : directory
    }

    /// Device and inode of the inputs read so far.
    static let inputs = LockedSet<FileIdentity>()
    /// The inputs' paths, for inputs not created yet (a checkpoint of a first run).
    static let inputPaths = LockedSet<String>()

    /// Writes UTF-8 `text` to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// Reads a whole file; throws a ``FileError`` naming the path when it is missing, unreadable
    /// or a folder, and a ``LimitError`` when it holds more than ``ResourceLimits/inputFile``
    /// bytes. A pipe or a device is read up to that cap (so `/dev/zero` ends in the error, not a
    /// hang that fills the memory). The file is recorded as an input (``registerInput(_:)``)
    /// unless `registering` is false: a state file that the command itself rewrites.
    public static func read(_ path: String, registering: Bool = true) throws -> Data {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw FileError(path: path, reason: errno == ENOENT ? "no such file" : String(cString: strerror(errno)))
        }
        let kind = info.st_mode & S_IFMT
        guard kind != S_IFDIR else { throw FileError(path: path, reason: "is a folder, not a file") }
        let cap = try ResourceLimits.inputFile.value()
        func tooLarge(_ size: String) -> LimitError {
            LimitError("\(path): \(size) bytes: at most \(ResourceLimits.grouped(cap)) bytes per input file (set \(ResourceLimits.inputFile.environmentVariable) to raise it)")
        }
        if kind == S_IFREG && Int(info.st_size) > cap { throw tooLarge(String(info.st_size)) }
        if kind == S_IFREG && registering { registerInput(path) }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw FileError(path: path, reason: "cannot be read") }
        defer { try? handle.close() }
        var data = Data()
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch { throw FileError(path: path, reason: "cannot be read: \(error.localizedDescription)") }
            if chunk.isEmpty { return data }
            data.append(chunk)
            if data.count > cap { throw tooLarge("more than \(ResourceLimits.grouped(cap))") }
        }
    }
}

/// A file that could not be read or written.
public struct FileError: Error, CustomStringConvertible {
    /// The path as given.
    public let path: String
    /// Why.
    public let reason: String
    public var description: String { "\(path): \(reason)" }
    /// An error about `path`.
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
}

/// A file's device and inode: the same file whatever path names it.
struct FileIdentity: Hashable {
    let device: UInt64, inode: UInt64
    init(_ info: stat) { device = UInt64(info.st_dev); inode = UInt64(info.st_ino) }
}

/// A set of file identities behind a lock (inputs are registered from any thread).
final class LockedSet<Element: Hashable>: @unchecked Sendable {
    private var set = Set<Element>()
    private let lock = NSLock()
    func withLock<T>(_ body: (inout Set<Element>) -> T) -> T { lock.lock(); defer { lock.unlock() }; return body(&set) }
}
