import Foundation
import PrecisionModule
import FileIOModule

/// Why a digits file could not be read, naming the line and what was expected.
public struct DigitsFileError: Error, CustomStringConvertible, Sendable {
    /// The message.
    public let description: String
}

extension TrainingData {
    /// Examples in the shipped digits file (data/digits/digits.csv).
    public static let digitsCount = 1_797

    /// The 8×8 handwritten digits (data/digits/digits.csv, README there): each line 64 pixel
    /// values 0…16 and a class 0…9. Each image is standardised per example (zero mean, unit
    /// variance over its 64 pixels, as Kalra & Barkeshli standardise CIFAR-10), the labels are
    /// one-hot over the 10 classes, and the first `samples` examples are kept, in the file's order.
    ///
    /// With `randomLabels`, each kept example's label is replaced by one drawn uniformly from the
    /// 10 classes by SplitMix64(`seed`), independently of the image: the harder, memorisation task.
    /// Every line is checked: 65 integer fields, pixels in 0…16, class in 0…9, and no image
    /// constant (it could not be standardised); the error names the line.
    public static func digits(contentsOf path: String, samples: Int = digitsCount, randomLabels: Bool = false,
                              seed: UInt64 = DefaultSeed.trainingData) throws -> TrainingData {
        let data = try AtomicFile.read(path)
        guard let text = String(data: data, encoding: .utf8) else { throw DigitsFileError(description: "\(path): not UTF-8 text") }
        return try digits(text: text, source: path, samples: samples, randomLabels: randomLabels, seed: seed)
    }

    /// ``digits(contentsOf:samples:randomLabels:seed:)`` from the file's text.
    public static func digits(text: String, source: String, samples: Int = digitsCount, randomLabels: Bool = false,
                              seed: UInt64 = DefaultSeed.trainingData) throws -> TrainingData {
        guard samples >= 1 else { throw DigitsFileError(description: "samples \(samples): give at least 1") }
        var x: [Double] = [], y: [Double] = []
        x.reserveCapacity(samples * 64); y.reserveCapacity(samples * 10)
        var rng = SplitMix64(seed: seed)
        var count = 0, lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            if count == samples { break }
            let fields = trimmed.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 65 else {
                throw DigitsFileError(description: "\(source) line \(lineNumber): \(fields.count) fields; a digits line has 64 pixels and a class (65)")
            }
            var pixels = [Double](repeating: 0, count: 64)
            for j in 0..<64 {
                guard let v = Int(fields[j].trimmingCharacters(in: .whitespaces)), (0...16).contains(v) else {
                    throw DigitsFileError(description: "\(source) line \(lineNumber), field \(j + 1): '\(fields[j].prefix(20))' is not a pixel value 0…16")
                }
                pixels[j] = Double(v)
            }
            guard let label = Int(fields[64].trimmingCharacters(in: .whitespaces)), (0...9).contains(label) else {
                throw DigitsFileError(description: "\(source) line \(lineNumber), field 65: '\(fields[64].prefix(20))' is not a class 0…9")
            }
            let mean = pixels.reduce(0, +) / 64
            let sd = (pixels.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 64).squareRoot()
            guard sd > 0 else { throw DigitsFileError(description: "\(source) line \(lineNumber): a constant image cannot be standardised") }
            x.append(contentsOf: pixels.map { ($0 - mean) / sd })
            var onehot = [Double](repeating: 0, count: 10)
            onehot[randomLabels ? Int(rng.next() % 10) : label] = 1
            y.append(contentsOf: onehot)
            count += 1
        }
        guard count == samples else {
            throw DigitsFileError(description: "\(source): \(count) examples, fewer than the \(samples) asked for")
        }
        return TrainingData(inputs: x, targets: y, inputDimension: 64, outputDimension: 10,
                            summary: "digits: the first \(count) of the 8×8 handwritten digits (UCI optdigits via scikit-learn), standardised per image, one-hot \(randomLabels ? "uniformly random labels (seed \(seed))" : "labels"), 10 classes")
    }
}
