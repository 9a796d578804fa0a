/*
 * The narrow L1-write emulator (pv-abi.md 7.5). Linux writes entries of
 * its pinned L1 tables directly, through their read-only mappings: early
 * boot with plain `mov`, fork with `lock and`, munmap with `xchg`, reclaim
 * with `lock btr`. Each write faults; here the few instruction forms Linux
 * uses are decoded, the new entry is computed and validated exactly like
 * an mmu_update of that entry, written, and the guest resumes after the
 * instruction. Anything else (another instruction, an entry the rules
 * refuse, a write that is not inside one 8-byte entry) is the guest's
 * page fault, bounced as usual.
 *
 * Operand forms (optional LOCK and REX; no operand-size prefix):
 *   89 /r mov m,r       c7 /0 id mov m,imm32   87 /r xchg m,r
 *   0f b1 /r cmpxchg    20 08 30 and/or/xor m8,r8   21 09 31 m,r
 *   80 /1/4/6 ib, 81 /1/4/6 id, 83 /1/4/6 ib    or/and/xor m,imm
 *   0f ab bts m,r  0f b3 btr m,r  0f ba /5 /6 ib  bts/btr m,imm8
 * The memory operand is where the CPU faulted (CR2); its arithmetic
 * flags come from running the same operation on a copy.
 */
#include <veneer/domain.h>
#include <veneer/errno.h>
#include <veneer/guest_access.h>
#include <veneer/lib.h>
#include <veneer/mm.h>
#include <veneer/pv.h>
#include <veneer/pv_mm.h>
#include <veneer/x86.h>

#define EFLAGS_ARITH 0x8d5UL /* CF PF AF ZF SF OF */
#define EFLAGS_CF    0x001UL
#define MAX_INSN     15

enum op { OP_MOV, OP_XCHG, OP_CMPXCHG, OP_AND, OP_OR, OP_XOR, OP_BTS, OP_BTR };

struct insn {
    enum op op;
    unsigned int size; /* operand bytes: 1, 4 or 8 */
    unsigned int len;  /* instruction bytes */
    bool src_is_reg;
    unsigned int reg; /* ModRM.reg with REX.R */
    bool rex;
    uint64_t imm;
};

static uint64_t *gpr(struct cpu_regs *r, unsigned int n)
{
    uint64_t *const regs[16] = {
        &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp, &r->rsi, &r->rdi,
        &r->r8,  &r->r9,  &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15};
    return regs[n & 15];
}

static uint64_t size_mask(unsigned int size)
{
    return size == 8 ? ~0UL : (1UL << (size * 8)) - 1;
}

/* A register operand of the given size (AH..BH for byte regs 4-7 without
 * a REX prefix). */
static uint64_t read_reg(struct cpu_regs *r, const struct insn *in)
{
    if (in->size == 1 && !in->rex && in->reg >= 4 && in->reg < 8)
        return (*gpr(r, in->reg - 4) >> 8) & 0xff;
    return *gpr(r, in->reg) & size_mask(in->size);
}

/* Register results: 32-bit writes zero-extend, as the CPU does. */
static void write_reg(struct cpu_regs *r, unsigned int n, unsigned int size,
                      uint64_t val)
{
    if (size == 8)
        *gpr(r, n) = val;
    else if (size == 4)
        *gpr(r, n) = val & 0xffffffffUL;
}

static int fetch(uint64_t rip, uint8_t *buf)
{
    int n = 0;

    /* Byte by byte: the instruction may end right before an unmapped
     * page. */
    while (n < MAX_INSN && !copy_from_guest(buf + n, rip + n, 1))
        n++;
    return n;
}

static bool decode(const uint8_t *b, int avail, struct insn *in)
{
    int i = 0;
    uint8_t rex = 0, modrm;
    unsigned int opc, mod, rm, ext;

    while (i < avail && i < 4 &&
           (b[i] == 0xf0 || b[i] == 0x2e || b[i] == 0x3e || b[i] == 0x26 ||
            b[i] == 0x36))
        i++; /* LOCK, ignorable segment overrides */
    if (i < avail && (b[i] & 0xf0) == 0x40)
        rex = b[i++];
    if (i >= avail)
        return false;
    opc = b[i++];
    if (opc == 0x0f) {
        if (i >= avail)
            return false;
        opc = 0x100 | b[i++];
    }
    if (i >= avail)
        return false;
    modrm = b[i++];
    mod = modrm >> 6;
    rm = modrm & 7;
    ext = (modrm >> 3) & 7;
    if (mod == 3)
        return false; /* a register operand cannot fault like this */
    if (rm == 4) {
        if (i >= avail)
            return false;
        if (mod == 0 && (b[i] & 7) == 5)
            i += 4;
        i++;
    } else if (mod == 0 && rm == 5) {
        i += 4; /* RIP-relative */
    }
    i += mod == 1 ? 1 : mod == 2 ? 4 : 0;

    in->rex = rex != 0;
    in->reg = ext | (rex & 4 ? 8 : 0);
    in->size = rex & 8 ? 8 : 4;
    in->src_is_reg = true;
    unsigned int imm_len = 0;
    switch (opc) {
    case 0x89:
        in->op = OP_MOV;
        break;
    case 0x87:
        in->op = OP_XCHG;
        break;
    case 0x1b1:
        in->op = OP_CMPXCHG;
        break;
    case 0x20:
    case 0x21:
        in->op = OP_AND;
        break;
    case 0x08:
    case 0x09:
        in->op = OP_OR;
        break;
    case 0x30:
    case 0x31:
        in->op = OP_XOR;
        break;
    case 0x1ab:
        in->op = OP_BTS;
        break;
    case 0x1b3:
        in->op = OP_BTR;
        break;
    case 0xc7:
        if (ext != 0)
            return false;
        in->op = OP_MOV;
        in->src_is_reg = false;
        imm_len = 4;
        break;
    case 0x80:
    case 0x81:
    case 0x83:
        if (ext == 1)
            in->op = OP_OR;
        else if (ext == 4)
            in->op = OP_AND;
        else if (ext == 6)
            in->op = OP_XOR;
        else
            return false;
        in->src_is_reg = false;
        imm_len = opc == 0x81 ? 4 : 1;
        break;
    case 0x1ba:
        if (ext == 5)
            in->op = OP_BTS;
        else if (ext == 6)
            in->op = OP_BTR;
        else
            return false;
        in->src_is_reg = false;
        imm_len = 1;
        break;
    default:
        return false;
    }
    if (opc == 0x20 || opc == 0x08 || opc == 0x30 || opc == 0x80)
        in->size = 1;
    if (i + (int)imm_len > avail)
        return false;
    in->imm = 0;
    if (imm_len == 1)
        in->imm = (uint64_t)(int64_t)(int8_t)b[i];
    else if (imm_len == 4)
        in->imm = (uint64_t)(int64_t)(int32_t)((uint32_t)b[i] |
                                               (uint32_t)b[i + 1] << 8 |
                                               (uint32_t)b[i + 2] << 16 |
                                               (uint32_t)b[i + 3] << 24);
    if (opc == 0x80 || opc == 0x1ba)
        in->imm &= 0xff; /* not sign-extended: a byte, a bit number */
    in->len = (unsigned int)(i + (int)imm_len);
    return in->len <= MAX_INSN;
}

#define ALU(insn, x, y, f)                             \
    __asm__(insn " %[s], %[d]\n\tpushfq\n\tpopq %[fl]" \
            : [d] "+r"(x), [fl] "=r"(f)                \
            : [s] "r"(y)                               \
            : "cc")

/* dst op src on a copy, with the flags the CPU would have produced. */
#define ALU_SIZED(T, op, a, b, res, f)                             \
    do {                                                           \
        T x = (T)(a), y = (T)(b);                                  \
        switch (op) {                                              \
        case OP_AND:                                               \
            ALU("and", x, y, f);                                   \
            break;                                                 \
        case OP_OR:                                                \
            ALU("or", x, y, f);                                    \
            break;                                                 \
        case OP_XOR:                                               \
            ALU("xor", x, y, f);                                   \
            break;                                                 \
        default: /* OP_CMPXCHG: the flags of accumulator - dest */ \
            ALU("cmp", x, y, f);                                   \
            break;                                                 \
        }                                                          \
        res = x;                                                   \
    } while (0)

static uint64_t alu(enum op op, unsigned int size, uint64_t a, uint64_t b,
                    uint64_t *flags)
{
    uint64_t res = 0, f = 0;

    if (size == 1)
        ALU_SIZED(uint8_t, op, a, b, res, f);
    else if (size == 4)
        ALU_SIZED(uint32_t, op, a, b, res, f);
    else
        ALU_SIZED(uint64_t, op, a, b, res, f);
    *flags = f;
    return res;
}

/*
 * One attempt: the operand as it is now (cur), the value to store, and
 * the register and flag results, applied only once the store succeeded.
 */
static int emulate_once(struct domain *d, struct cpu_regs *regs,
                        const struct insn *in, mfn_t l1, unsigned int idx,
                        unsigned int shift)
{
    uint64_t entry = pv_mm_table(l1)[idx];
    uint64_t mask = size_mask(in->size);
    uint64_t cur = (entry >> shift) & mask;
    uint64_t src = in->src_is_reg ? read_reg(regs, in) : in->imm & mask;
    uint64_t val = cur, flags = 0, flag_mask = 0;
    bool store = true;
    int rc;

    switch (in->op) {
    case OP_MOV:
    case OP_XCHG:
        val = src;
        break;
    case OP_CMPXCHG: {
        uint64_t acc = regs->rax & mask;
        alu(OP_CMPXCHG, in->size, acc, cur, &flags);
        flag_mask = EFLAGS_ARITH;
        store = acc == cur;
        val = store ? src : cur;
        break;
    }
    case OP_AND:
    case OP_OR:
    case OP_XOR:
        val = alu(in->op, in->size, cur, src, &flags) & mask;
        flag_mask = EFLAGS_ARITH;
        break;
    case OP_BTS:
    case OP_BTR: {
        unsigned int bit = (unsigned int)(src & (in->size * 8 - 1));
        flags = (cur >> bit) & 1 ? EFLAGS_CF : 0;
        flag_mask = EFLAGS_CF;
        val = in->op == OP_BTS ? cur | (1UL << bit) : cur & ~(1UL << bit);
        break;
    }
    }
    if (store) {
        uint64_t new_entry = (entry & ~(mask << shift)) | (val << shift);
        rc = pv_mm_mod_l1(d, l1, idx, new_entry, false, &entry);
        if (rc)
            return rc; /* -EAGAIN: the entry changed under us, retry */
    }
    if (in->op == OP_XCHG)
        write_reg(regs, in->reg, in->size, cur);
    if (in->op == OP_CMPXCHG && !store)
        write_reg(regs, 0, in->size, cur);
    regs->rflags = (regs->rflags & ~flag_mask) | (flags & flag_mask);
    regs->rip += in->len;
    return 0;
}

bool pv_ptwr_emulate(struct vcpu *v, struct cpu_regs *regs, uint64_t cr2,
                     uint64_t ec)
{
    struct domain *d = v->domain;
    uint8_t bytes[MAX_INSN];
    struct insn in;
    mfn_t map_l1, l1;
    unsigned int map_idx, shift;
    int avail, rc;

    if (!v->kernel_mode || v->guest_table == INVALID_MFN ||
        (ec & (PFEC_PRESENT | PFEC_WRITE | PFEC_INSN | PFEC_RSVD)) !=
            (PFEC_PRESENT | PFEC_WRITE))
        return false;
    /* The faulting address must be a read-only mapping of one of the
     * domain's validated L1 tables. */
    if (!guest_range_ok(cr2, 1) ||
        pv_mm_find_l1(v->guest_table, cr2, &map_l1, &map_idx))
        return false;
    uint64_t pte = pv_mm_table(map_l1)[map_idx];
    if ((pte & (_PAGE_PRESENT | _PAGE_RW)) != _PAGE_PRESENT)
        return false;
    l1 = (pte & PTE_ADDR_MASK) >> PAGE_SHIFT;
    if (!pv_mm_is_l1(d, l1))
        return false;

    avail = fetch(regs->rip, bytes);
    if (!decode(bytes, avail, &in))
        return false;
    /* Naturally aligned, inside one entry. */
    if (cr2 & (in.size - 1))
        return false;
    shift = (unsigned int)(cr2 & 7) * 8;
    for (int tries = 0; tries < 8; tries++) {
        rc = emulate_once(d, regs, &in, l1, (cr2 & (PAGE_SIZE - 1)) / 8, shift);
        if (rc != -EAGAIN)
            return rc == 0;
    }
    return false;
}
