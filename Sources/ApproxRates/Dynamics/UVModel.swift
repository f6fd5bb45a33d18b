import Foundation
import PrecisionModule
import FileIOModule

/// The uv model of Lewkowycz et al. (2020): f = v·u x/√n with u, v ∈ Rⁿ, one example x = 1, loss
/// ½(f − y)². It is the depth-2 linear network in the NTK parameterisation
/// (``architecture(width:)``), and gradient descent on it closes on two numbers, the output f and
/// the NTK λ = (|u|² + |v|²)/n:
///
///   f' = f − η λ r + η² r² f / n,   λ' = λ + (η r / n)(η r λ − 4 f),   r = f − y.
///
/// At n = ∞ the λ update vanishes and r' = (1 − ηλ) r: stable iff ηλ < 2. For 2 < ηλ < 4 the loss
/// grows until r² ~ n, then λ falls below 2/η (the catapult); beyond 4 it diverges.
public enum UVModel {
    /// The architecture: 1 input, width n, 2 linear layers, NTK scaling, unit variances.
    public static func architecture(width n: Int) -> MLPArchitecture {
        MLPArchitecture(inputs: 1, width: n, depth: 2, outputs: 1, activation: .linear, parameterisation: .ntk,
                        hiddenVariance: 1, lastVariance: 1)
    }

    /// The one example (x = 1, target `y`).
    public static func data(target y: Double = 1) -> TrainingData {
        TrainingData(inputs: [1], targets: [y], inputDimension: 1, outputDimension: 1, summary: "uv model: x = 1, y = \(y)")
    }

    /// (f, λ) of the parameters θ = (u, v) (θ laid out as the architecture's flat vector).
    public static func state(_ theta: [Double], width n: Int) -> (output: Double, kernel: Double) {
        let u = theta[0..<n], v = theta[n..<(2 * n)]
        let f = zip(u, v).map(*).reduce(0, +) / Double(n).squareRoot()
        let lambda = (u.map { $0 * $0 }.reduce(0, +) + v.map { $0 * $0 }.reduce(0, +)) / Double(n)
        return (f, lambda)
    }

    /// The exact one-step map of gradient descent with learning rate η on (f, λ).
    public static func step(output f: Double, kernel lambda: Double, target y: Double, learningRate eta: Double,
                            width n: Int) -> (output: Double, kernel: Double) {
        let r = f - y, nn = Double(n)
        return (f - eta * lambda * r + eta * eta * r * r * f / nn, lambda + (eta * r / nn) * (eta * r * lambda - 4 * f))
    }
}
