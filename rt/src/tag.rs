//! Exception tags. A tag's identity is the address of its [`VMTag`]: every instance that
//! defines or imports the tag stores that address in its VMContext (`VMOffsets::tag`), and an
//! exception object records it, so `catch` compares one word.

use std::sync::Arc;

use cwali_frontend::FuncType;

/// What a tag's identity points at: the canonical id of its payload type.
#[derive(Debug)]
#[repr(C)]
pub struct VMTag {
    pub(crate) type_id: u32,
}

/// A tag as the host holds it (defined by an instance, or by the host).
#[derive(Debug, Clone)]
pub struct Tag {
    pub(crate) vm: Arc<VMTag>,
    ty: FuncType,
}

impl Tag {
    /// A new tag whose exceptions carry values of `ty`'s parameter types.
    pub fn new(ty: FuncType) -> Tag {
        Tag { vm: Arc::new(VMTag { type_id: crate::type_registry::intern(&ty) }), ty }
    }

    /// A tag defined by a module, whose type has the canonical id `type_id`.
    pub(crate) fn with_type_id(ty: FuncType, type_id: u32) -> Tag {
        Tag { vm: Arc::new(VMTag { type_id }), ty }
    }

    /// The payload types (the parameters; tags have no results).
    pub fn ty(&self) -> &FuncType {
        &self.ty
    }

    /// The identity generated code compares.
    pub(crate) fn identity(&self) -> usize {
        Arc::as_ptr(&self.vm) as usize
    }
}

impl PartialEq for Tag {
    fn eq(&self, other: &Tag) -> bool {
        Arc::ptr_eq(&self.vm, &other.vm)
    }
}
