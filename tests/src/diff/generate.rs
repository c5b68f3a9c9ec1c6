//! Seed → module: the wasm-smith configuration and the post-processing that makes a generated
//! module deterministic and terminating in both engines.

use std::borrow::Cow;

use wasm_encoder::reencode::{self, Reencode};
use wasm_encoder::{CodeSection, Instruction};

use super::rng::Rng;

/// Fuel given to every module by `ensure_termination`: each function entry and loop iteration
/// costs one, bulk operations cost their length. When it runs out the module executes
/// `unreachable`, identically in both engines.
pub const DEFAULT_FUEL: u32 = 1000;

/// Bytes of fuzz input fed to wasm-smith per module, at most.
const MAX_INPUT_BYTES: usize = 16 * 1024;

/// Pages of 64 KiB.
const PAGE: u64 = 64 * 1024;

/// The wasm-smith configuration for cwali's feature set (see
/// `cwali_frontend::supported_features`): the MVP plus mutable globals, sign extension,
/// saturating float-to-int, multi-value, bulk memory, reference types (funcref/externref,
/// several tables), tail calls, threads (shared memory, atomics), extended constant
/// expressions, SIMD, relaxed SIMD (deterministic in both engines), wide arithmetic,
/// multi-memory, custom page sizes and exception handling (tags, throw, throw_ref, try_table,
/// exnref, memory64). No GC or components.
///
/// Everything a run can observe is deterministic and small:
/// - no imports, everything exported (`export_everything`), so the harness sees all state;
/// - every memory has a maximum of at most 64 pages and every table at most 1000 elements, so
///   `memory.grow`/`table.grow` succeed or fail the same way in any engine and the final
///   state is cheap to compare;
/// - NaNs are canonicalized after every float operation, so float results compare bit-exactly.
pub fn smith_config() -> wasm_smith::Config {
    wasm_smith::Config {
        // Shape.
        max_imports: 0,
        // Without at least one function type, wasm-smith defines no functions at all.
        min_types: 2,
        min_funcs: 1,
        max_funcs: 20,
        max_types: 20,
        max_globals: 20,
        max_exports: 100,
        export_everything: true,
        allow_start_export: true,
        max_instructions: 200,
        max_nesting_depth: 10,
        max_data_segments: 10,
        max_element_segments: 10,
        max_elements: 100,
        generate_custom_sections: false,
        allow_invalid_funcs: false,
        // Memories and tables: a few small bounded memories and tables.
        max_memories: 3,
        max_memory32_bytes: 64 * PAGE,
        memory_max_size_required: true,
        max_tables: 4,
        max_table_elements: 1000,
        table_max_size_required: true,
        // Features cwali implements.
        saturating_float_to_int_enabled: true,
        sign_extension_ops_enabled: true,
        multi_value_enabled: true,
        bulk_memory_enabled: true,
        reference_types_enabled: true,
        tail_call_enabled: true,
        threads_enabled: true,
        extended_const_enabled: true,
        exceptions_enabled: true,
        max_tags: 5,
        allow_floats: true,
        simd_enabled: true,
        relaxed_simd_enabled: true,
        wide_arithmetic_enabled: true,
        custom_page_sizes_enabled: true,
        // 64-bit memories and tables, small like the 32-bit ones.
        memory64_enabled: true,
        max_memory64_bytes: 64 * PAGE as u128,
        // Features it does not.
        gc_enabled: false,
        shared_everything_threads_enabled: false,
        custom_descriptors_enabled: false,
        // Bit-exact floats.
        canonicalize_nans: true,
        ..wasm_smith::Config::default()
    }
}

/// The configuration for `seed`. Half of the seeds use [`smith_config`] with a few knobs
/// varied (so that the corpus also contains modules that mostly run to completion with
/// `disallow_traps`, integer-only modules, and larger bodies). The other half are *swarm*
/// configurations: `wasm_smith::Config::arbitrary` (random proposal subsets, instruction
/// kinds, LEB128 padding, limits) cut down by [`restrict`] to what both engines run.
pub fn smith_config_for_seed(seed: u64) -> wasm_smith::Config {
    let mut rng = Rng::new(seed ^ 0x5eed_c0f1_9000_0000);
    if rng.below(2) == 0 {
        let bytes: Vec<u8> = (0..1024).map(|_| rng.next_u64() as u8).collect();
        if let Ok(mut c) =
            <wasm_smith::Config as arbitrary::Arbitrary>::arbitrary(&mut arbitrary::Unstructured::new(&bytes))
        {
            restrict(&mut c);
            return c;
        }
    }
    let mut c = smith_config();
    c.disallow_traps = rng.below(2) == 0;
    c.allow_floats = rng.below(5) != 0;
    c.threads_enabled = rng.below(3) != 0;
    c.max_memories = 1 + rng.below(3) as usize;
    c.custom_page_sizes_enabled = rng.below(3) == 0;
    c.simd_enabled = rng.below(2) == 0;
    c.relaxed_simd_enabled = c.simd_enabled && rng.below(2) == 0;
    c.wide_arithmetic_enabled = rng.below(3) == 0;
    c.max_instructions = [50, 200, 200, 1000][rng.below(4) as usize];
    c.max_funcs = [5, 20, 20, 50][rng.below(4) as usize];
    c.min_funcs = 1 + rng.below(4) as usize;
    // wasm-smith generates typed function references (`call_ref`, `br_on_null`, ...) only with
    // GC on; cwali refuses the modules that use GC proper and runs the others.
    c.gc_enabled = rng.below(3) == 0;
    if c.gc_enabled {
        // Few types: more modules whose types are all function types.
        c.min_types = 1;
        c.max_types = 2;
    }
    c.memory64_enabled = rng.below(2) == 0;
    c
}

/// Turn off what cwali does not implement and apply [`smith_config`]'s limits and
/// determinism settings to an arbitrary configuration. Features are only ever turned off; the
/// only limits raised are the minimum number of types and functions (so that there is code to
/// run) and the number of exports (everything is exported).
pub fn restrict(c: &mut wasm_smith::Config) {
    let base = smith_config();
    c.gc_enabled = false;
    c.shared_everything_threads_enabled = false;
    c.custom_descriptors_enabled = false;
    c.max_imports = 0;
    c.min_imports = 0;
    c.max_tags = c.max_tags.min(base.max_tags);
    c.min_tags = c.min_tags.min(c.max_tags);
    c.max_memories = c.max_memories.min(base.max_memories);
    c.min_memories = c.min_memories.min(c.max_memories as u32);
    c.max_memory32_bytes = c.max_memory32_bytes.min(base.max_memory32_bytes);
    c.max_memory64_bytes = c.max_memory64_bytes.min(base.max_memory64_bytes);
    c.memory_max_size_required = true;
    c.max_tables = c.max_tables.min(base.max_tables);
    c.min_tables = c.min_tables.min(c.max_tables as u32);
    c.max_table_elements = c.max_table_elements.min(base.max_table_elements);
    c.table_max_size_required = true;
    c.max_types = c.max_types.clamp(base.min_types, 50);
    c.min_types = base.min_types;
    c.max_funcs = c.max_funcs.clamp(1, 50);
    c.min_funcs = 1;
    c.max_instructions = c.max_instructions.min(1000);
    c.max_globals = c.max_globals.min(50);
    c.max_data_segments = c.max_data_segments.min(20);
    c.max_element_segments = c.max_element_segments.min(20);
    c.max_elements = c.max_elements.min(200);
    c.max_exports = c.max_exports.max(base.max_exports);
    c.export_everything = true;
    c.canonicalize_nans = true;
    c.allow_invalid_funcs = false;
    c.generate_custom_sections = false;
    c.available_imports = None;
    c.exports = None;
    c.module_shape = None;
}

/// The name of the function [`module_for_seed`] adds to refill the fuel global. The harness
/// calls it before every call, so that each call gets [`DEFAULT_FUEL`] (otherwise the first
/// infinite loop would leave every later call trapping at its first fuel check).
pub const FUEL_RESET_EXPORT: &str = "__cwali_diff_refuel";

/// The module for `seed`: wasm-smith output with fuel checks (`ensure_termination`), a
/// [`FUEL_RESET_EXPORT`] function, and every `memory.atomic.wait*` timeout forced to 0 (see
/// [`rewrite`]).
pub fn module_for_seed(seed: u64) -> anyhow::Result<Vec<u8>> {
    let config = smith_config_for_seed(seed);
    let mut rng = Rng::new(seed);
    // With GC on (the only way wasm-smith makes typed function references) most modules use
    // GC proper, which cwali refuses: try more inputs and keep the first one cwali accepts.
    let attempts = if config.gc_enabled { GC_ATTEMPTS } else { 1 };
    let mut attempt = 0;
    loop {
        attempt += 1;
        let len = 256 + rng.below(MAX_INPUT_BYTES as u64 - 256) as usize;
        let input: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
        let mut u = arbitrary::Unstructured::new(&input);
        let mut module = wasm_smith::Module::new(config.clone(), &mut u)?;
        let fuel_global = module.ensure_termination(DEFAULT_FUEL)?;
        let wasm = rewrite(&module.to_bytes(), Some(fuel_global))?;
        if attempt >= attempts || cwali_frontend::parse(&wasm).is_ok() {
            return Ok(wasm);
        }
    }
}

/// Modules generated at most per GC seed before keeping one cwali refuses.
const GC_ATTEMPTS: u32 = 40;

/// Re-encode a module with two changes:
///
/// - The timeout operand of every `memory.atomic.wait32/64` becomes 0. On a shared memory, a
///   wait whose expected value matches blocks until notified or until the timeout expires, and
///   wasm-smith may pick a negative (infinite) timeout. Nothing else runs concurrently in the
///   harness, so such a wait would hang. With a zero timeout the wait returns at once: 1
///   ("not-equal") or 2 ("timed-out"), deterministically. On an unshared memory it still traps,
///   which is also compared.
/// - With `fuel_global`, an exported function [`FUEL_RESET_EXPORT`] that sets that global to
///   [`DEFAULT_FUEL`] is appended (when the module has functions and exports; modules with
///   imports are not supported).
pub fn rewrite(wasm: &[u8], fuel_global: Option<u32>) -> anyhow::Result<Vec<u8>> {
    let mut sections = (false, false, false, false);
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload? {
            wasmparser::Payload::TypeSection(_) => sections.0 = true,
            wasmparser::Payload::FunctionSection(_) => sections.1 = true,
            wasmparser::Payload::ExportSection(_) => sections.2 = true,
            wasmparser::Payload::CodeSectionStart { .. } => sections.3 = true,
            wasmparser::Payload::ImportSection(r) if r.count() > 0 => anyhow::bail!("modules with imports"),
            _ => {}
        }
    }
    let refuel = fuel_global.filter(|_| sections == (true, true, true, true));
    let mut rewriter = Rewriter { refuel, reset_type: 0, reset_func: 0 };
    let mut out = wasm_encoder::Module::new();
    rewriter
        .parse_core_module(&mut out, wasmparser::Parser::new(0), wasm)
        .map_err(|e| anyhow::anyhow!("re-encoding the module failed: {e}"))?;
    Ok(out.finish())
}

struct Rewriter {
    /// The fuel global, if a refuel function is to be added.
    refuel: Option<u32>,
    reset_type: u32,
    reset_func: u32,
}

impl Reencode for Rewriter {
    type Error = std::convert::Infallible;

    fn parse_type_section(
        &mut self,
        types: &mut wasm_encoder::TypeSection,
        section: wasmparser::TypeSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        let mut count = 0;
        for group in section {
            let group = group?;
            count += group.types().len() as u32;
            self.parse_recursive_type_group(types.ty(), group)?;
        }
        if self.refuel.is_some() {
            self.reset_type = count;
            types.ty().function([], []);
        }
        Ok(())
    }

    fn parse_function_section(
        &mut self,
        functions: &mut wasm_encoder::FunctionSection,
        section: wasmparser::FunctionSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        self.reset_func = section.count();
        reencode::utils::parse_function_section(self, functions, section)?;
        if self.refuel.is_some() {
            functions.function(self.reset_type);
        }
        Ok(())
    }

    fn parse_export_section(
        &mut self,
        exports: &mut wasm_encoder::ExportSection,
        section: wasmparser::ExportSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_export_section(self, exports, section)?;
        if self.refuel.is_some() {
            exports.export(FUEL_RESET_EXPORT, wasm_encoder::ExportKind::Func, self.reset_func);
        }
        Ok(())
    }

    fn parse_code_section(
        &mut self,
        code: &mut CodeSection,
        section: wasmparser::CodeSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_code_section(self, code, section)?;
        if let Some(global) = self.refuel {
            let mut f = wasm_encoder::Function::new([]);
            f.instruction(&Instruction::I32Const(DEFAULT_FUEL as i32));
            f.instruction(&Instruction::GlobalSet(global));
            f.instruction(&Instruction::End);
            code.function(&f);
        }
        Ok(())
    }

    fn parse_function_body(
        &mut self,
        code: &mut CodeSection,
        func: wasmparser::FunctionBody<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        let mut f = self.new_function_with_parsed_locals(&func)?;
        let mut reader = func.get_operators_reader()?;
        while !reader.eof() {
            let op = reader.read()?;
            if matches!(
                op,
                wasmparser::Operator::MemoryAtomicWait32 { .. } | wasmparser::Operator::MemoryAtomicWait64 { .. }
            ) {
                f.instruction(&Instruction::Drop);
                f.instruction(&Instruction::I64Const(0));
            }
            f.instruction(&self.instruction(op)?);
        }
        code.function(&f);
        Ok(())
    }
}

/// Print a module as WAT for a report (falls back to a note if printing fails).
pub fn to_wat(wasm: &[u8]) -> String {
    match wasmprinter::print_bytes(wasm) {
        Ok(text) => text,
        Err(e) => format!(";; wasmprinter failed: {e}"),
    }
}

/// `.wat` or `.wasm` file contents → binary.
pub fn parse_wat_or_wasm(bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    Ok(match wat::parse_bytes(bytes)? {
        Cow::Borrowed(b) => b.to_vec(),
        Cow::Owned(b) => b,
    })
}
