//! The one libm function the player needs, `pow` (its bandwidth estimate and
//! upload shares decay by half-lives), taken from the browser's `Math.pow` in
//! the wasm build: libm's is 2.2 KB of wasm, and the browser already has one.
//! Natively std's. Both are within an ulp or so of the true value, and nothing
//! here depends on the last bit (an estimate, a share).
//!
//! ```
//! assert_eq!(tubeswarm::math::pow(0.5, 2.0), 0.25);
//! ```

/// `base` to the power `exp`.
pub fn pow(base: f64, exp: f64) -> f64 {
    #[cfg(target_arch = "wasm32")]
    return js_sys::Math::pow(base, exp);
    #[cfg(not(target_arch = "wasm32"))]
    return base.powf(exp);
}
