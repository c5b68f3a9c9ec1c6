//! Typed views of functions: Rust types in, Rust types out, the signature checked once.
//!
//! - [`WasmTy`]: a Rust type that is one Wasm value (`i32`/`u32` ↔ i32, `i64`/`u64` ↔ i64,
//!   `f32`, `f64`, `u128` ↔ v128).
//! - [`WasmTyList`]: `()`, one [`WasmTy`], or a tuple of them: the parameters or results of a
//!   function.
//! - [`TypedFunc`]: a [`Func`] whose signature was checked against `Params -> Results`
//!   ([`Func::typed`], [`Instance::get_typed_func`](crate::Instance::get_typed_func)).
//! - [`IntoFunc`]: Rust closures `Fn(A, B, ...) -> R` as host functions (`R` a [`WasmTyList`]
//!   or `Result<_, Trap>`), used by [`Linker::func_wrap`](crate::Linker::func_wrap);
//!   [`IntoCallerFunc`] the same with the calling instance's [`Caller`] first.

use std::marker::PhantomData;

use cwali_frontend::{FuncType, ValType};

use crate::api::{Error, Instance, Store, Trap};
use crate::caller::Caller;
use crate::func::Func;
use crate::values::Val;

/// A Rust type that stands for one Wasm value.
pub trait WasmTy: Copy + Send + Sync + 'static {
    /// Its Wasm type.
    const TY: ValType;
    /// As a [`Val`].
    fn into_val(self) -> Val;
    /// From a [`Val`] of type [`Self::TY`].
    fn from_val(v: &Val) -> Option<Self>;
}

macro_rules! wasm_ty {
    ($($rust:ty => $wasm:ident($variant:ident) as $raw:ty),* $(,)?) => {$(
        impl WasmTy for $rust {
            const TY: ValType = ValType::$wasm;
            fn into_val(self) -> Val {
                Val::$variant(self as $raw)
            }
            fn from_val(v: &Val) -> Option<Self> {
                match *v {
                    Val::$variant(x) => Some(x as $rust),
                    _ => None,
                }
            }
        }
    )*};
}

wasm_ty! {
    i32 => I32(I32) as i32,
    u32 => I32(I32) as i32,
    i64 => I64(I64) as i64,
    u64 => I64(I64) as i64,
    u128 => V128(V128) as u128,
}

impl WasmTy for f32 {
    const TY: ValType = ValType::F32;
    fn into_val(self) -> Val {
        Val::F32(self.to_bits())
    }
    fn from_val(v: &Val) -> Option<Self> {
        match *v {
            Val::F32(bits) => Some(f32::from_bits(bits)),
            _ => None,
        }
    }
}

impl WasmTy for f64 {
    const TY: ValType = ValType::F64;
    fn into_val(self) -> Val {
        Val::F64(self.to_bits())
    }
    fn from_val(v: &Val) -> Option<Self> {
        match *v {
            Val::F64(bits) => Some(f64::from_bits(bits)),
            _ => None,
        }
    }
}

/// The parameters or results of a function as Rust types: `()`, `T` or `(T1, T2, ...)`.
pub trait WasmTyList: Sized + Send + 'static {
    /// The Wasm types, in order.
    fn types() -> Vec<ValType>;
    /// As values, in order.
    fn into_vals(self) -> Vec<Val>;
    /// From values of exactly [`Self::types`].
    fn from_vals(vals: &[Val]) -> Option<Self>;
}

impl<T: WasmTy> WasmTyList for T {
    fn types() -> Vec<ValType> {
        vec![T::TY]
    }
    fn into_vals(self) -> Vec<Val> {
        vec![self.into_val()]
    }
    fn from_vals(vals: &[Val]) -> Option<Self> {
        match vals {
            [v] => T::from_val(v),
            _ => None,
        }
    }
}

macro_rules! tuple_list {
    ($(($($t:ident),*)),* $(,)?) => {$(
        impl<$($t: WasmTy),*> WasmTyList for ($($t,)*) {
            fn types() -> Vec<ValType> {
                vec![$($t::TY),*]
            }
            #[allow(non_snake_case)]
            fn into_vals(self) -> Vec<Val> {
                let ($($t,)*) = self;
                vec![$($t.into_val()),*]
            }
            #[allow(non_snake_case, unused_mut, unused_variables)]
            fn from_vals(vals: &[Val]) -> Option<Self> {
                let mut it = vals.iter();
                $(let $t = $t::from_val(it.next()?)?;)*
                match it.next() {
                    None => Some(($($t,)*)),
                    Some(_) => None,
                }
            }
        }
    )*};
}

tuple_list! {
    (),
    (A),
    (A, B),
    (A, B, C),
    (A, B, C, D),
    (A, B, C, D, E),
    (A, B, C, D, E, G),
    (A, B, C, D, E, G, H),
    (A, B, C, D, E, G, H, I),
}

/// A function known to have the signature `Params -> Results`.
///
/// ```
/// use cwali_rt::{Config, Engine, Instance, Module, Store};
///
/// let engine = Engine::new(Config::default());
/// let wasm = wat::parse_str(r#"(module (func (export "add") (param i32 i64) (result i64)
///     (i64.add (i64.extend_i32_s (local.get 0)) (local.get 1))))"#).unwrap();
/// let module = Module::new(&engine, &wasm).unwrap();
/// let mut store = Store::new(&engine);
/// let instance = Instance::new(&mut store, &module, &[]).unwrap();
/// let add = instance.get_typed_func::<(i32, i64), i64>("add").unwrap();
/// assert_eq!(add.call(&mut store, (-2, 40)).unwrap(), 38);
/// // The wrong signature is refused up front.
/// assert!(instance.get_typed_func::<i32, i32>("add").is_err());
/// ```
pub struct TypedFunc<Params, Results> {
    func: Func,
    _signature: PhantomData<fn(Params) -> Results>,
}

impl<Params, Results> Clone for TypedFunc<Params, Results> {
    fn clone(&self) -> Self {
        TypedFunc { func: self.func.clone(), _signature: PhantomData }
    }
}

impl<Params: WasmTyList, Results: WasmTyList> TypedFunc<Params, Results> {
    /// Call the function. A trap is an `Err`; the store stays usable.
    pub fn call(&self, store: &mut Store, params: Params) -> Result<Results, Trap> {
        let results = self.func.call(store, &params.into_vals())?;
        // The signature was checked when this TypedFunc was made, and calls check result types.
        Ok(Results::from_vals(&results).expect("results match the checked signature"))
    }

    /// The untyped function.
    pub fn func(&self) -> &Func {
        &self.func
    }
}

/// `Params -> Results` as a [`FuncType`].
fn signature<Params: WasmTyList, Results: WasmTyList>() -> FuncType {
    FuncType::new(Params::types(), Results::types())
}

impl Func {
    /// This function as a [`TypedFunc`], if its signature is `Params -> Results`.
    pub fn typed<Params: WasmTyList, Results: WasmTyList>(&self) -> Result<TypedFunc<Params, Results>, Error> {
        let want = signature::<Params, Results>();
        if *self.ty() != want {
            return Err(Error::IncompatibleImport(format!(
                "typed function: the function has type {:?}, asked for {:?}",
                self.ty(),
                want
            )));
        }
        Ok(TypedFunc { func: self.clone(), _signature: PhantomData })
    }
}

impl Instance {
    /// The exported function `name` as a [`TypedFunc`]; an error if there is no such function
    /// export or its signature is not `Params -> Results`.
    pub fn get_typed_func<Params: WasmTyList, Results: WasmTyList>(
        &self,
        name: &str,
    ) -> Result<TypedFunc<Params, Results>, Error> {
        self.get_func(name).ok_or_else(|| Error::UnknownImport(format!("no function export named `{name}`")))?.typed()
    }
}

/// What a host closure returns: values ([`WasmTyList`]) or `Result<values, Trap>`.
pub trait WasmRet: Send + 'static {
    /// The values' types.
    type List: WasmTyList;
    /// The values, or the trap to raise.
    fn into_result(self) -> Result<Self::List, Trap>;
}

impl<T: WasmTyList> WasmRet for T {
    type List = T;
    fn into_result(self) -> Result<T, Trap> {
        Ok(self)
    }
}

impl<T: WasmTyList> WasmRet for Result<T, Trap> {
    type List = T;
    fn into_result(self) -> Result<T, Trap> {
        self
    }
}

/// A Rust closure usable as a host function: `Fn(A, B, ...) -> R`.
pub trait IntoFunc<Params, Results>: Send + Sync + 'static {
    /// The host function.
    fn into_func(self) -> Func;
}

/// A Rust closure usable as a host function that also sees the calling instance:
/// `Fn(Caller<'_>, A, B, ...) -> R`.
pub trait IntoCallerFunc<Params, Results>: Send + Sync + 'static {
    /// The host function.
    fn into_func(self) -> Func;
}

/// A type error that cannot happen: instantiation and calls check types before the closure runs.
fn bad_args() -> Trap {
    Trap::host("host function called with arguments of the wrong type")
}

macro_rules! into_func {
    ($(($($a:ident),*)),* $(,)?) => {$(
        impl<F, R, $($a: WasmTy),*> IntoFunc<($($a,)*), R> for F
        where
            F: Fn($($a),*) -> R + Send + Sync + 'static,
            R: WasmRet,
        {
            #[allow(non_snake_case)]
            fn into_func(self) -> Func {
                let ty = signature::<($($a,)*), R::List>();
                Func::new_with_caller(ty, move |_, args| {
                    let ($($a,)*) = <($($a,)*)>::from_vals(args).ok_or_else(bad_args)?;
                    Ok(self($($a),*).into_result()?.into_vals())
                })
            }
        }

        impl<F, R, $($a: WasmTy),*> IntoCallerFunc<($($a,)*), R> for F
        where
            F: Fn(Caller<'_>, $($a),*) -> R + Send + Sync + 'static,
            R: WasmRet,
        {
            #[allow(non_snake_case)]
            fn into_func(self) -> Func {
                let ty = signature::<($($a,)*), R::List>();
                Func::new_with_caller(ty, move |vmctx, args| {
                    let ($($a,)*) = <($($a,)*)>::from_vals(args).ok_or_else(bad_args)?;
                    // SAFETY: host functions are called with the calling instance's live
                    // VMContext, and the Caller does not outlive this call.
                    let caller = unsafe { Caller::from_vmctx(vmctx) }
                        .ok_or_else(|| Trap::host("host function called without an instance"))?;
                    Ok(self(caller, $($a),*).into_result()?.into_vals())
                })
            }
        }
    )*};
}

into_func! {
    (),
    (A),
    (A, B),
    (A, B, C),
    (A, B, C, D),
    (A, B, C, D, E),
    (A, B, C, D, E, G),
    (A, B, C, D, E, G, H),
    (A, B, C, D, E, G, H, I),
}
