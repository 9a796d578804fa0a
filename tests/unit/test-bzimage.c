/*
 * bzimage_parse() (hypervisor/common/bzimage.c) on a small bzImage built
 * here the way the x86 boot protocol lays one out, then on every header
 * field made hostile in turn, on every truncation and on random headers:
 * it must refuse with a reason, or describe a payload wholly inside the
 * image.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <veneer/bzimage.h>
#include <veneer/decompress.h>
#include <veneer/errno.h>

#include "unit.h"

#define SETUP_SECTS 3
#define PM_START    ((SETUP_SECTS + 1) * 512)
#define PAYLOAD_OFF 0x40

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A bzImage whose payload is `payload` plus the appended size `size`,
 * with 100 bytes of "signature" after the protected-mode part. */
static uint8_t *make_bzimage(const uint8_t *payload, size_t plen, uint32_t size,
                             size_t *len)
{
    size_t pm_len = ALIGN_UP(PAYLOAD_OFF + plen + 4 + 32, 16);
    uint8_t *img;

    *len = PM_START + pm_len + 100;
    img = calloc(1, *len);
    CU_ASSERT_FATAL(img != NULL);
    img[0x1f1] = SETUP_SECTS;
    put32(img + 0x1f4, (uint32_t)(pm_len / 16));
    put16(img + 0x1fe, 0xaa55);
    memcpy(img + 0x202, "HdrS", 4);
    put16(img + 0x206, 0x20f);
    img[0x211] = 0x01;
    put32(img + 0x248, PAYLOAD_OFF);
    put32(img + 0x24c, (uint32_t)(plen + 4));
    memcpy(img + PM_START + PAYLOAD_OFF, payload, plen);
    put32(img + PM_START + PAYLOAD_OFF + plen, size);
    return img;
}

static const uint8_t fake_payload[] = {0xfd, '7', 'z', 'X', 'Z', 0, 1, 2, 3};

/* Parses a copy of img[0, len) in an exact-size buffer (for valgrind);
 * on success the payload must lie inside it. */
static int parse(const uint8_t *img, size_t len, struct bzimage *bz,
                 const char **why)
{
    uint8_t *copy = malloc(len ? len : 1);
    int rc;

    CU_ASSERT_FATAL(copy != NULL);
    memcpy(copy, img, len);
    *why = NULL;
    rc = bzimage_parse(copy, len, bz, why);
    if (rc == 0) {
        CU_ASSERT(bz->payload >= copy && bz->payload <= copy + len);
        CU_ASSERT(bz->payload_len <= (size_t)(copy + len - bz->payload) - 4);
        CU_ASSERT(bz->kernel_size > 0 && bz->kernel_size <= BZIMAGE_MAX_KERNEL);
        /* Reading the payload must stay inside the copy. */
        volatile uint8_t sum = 0;
        for (size_t i = 0; i < bz->payload_len; i++)
            sum += bz->payload[i];
        (void)sum;
    } else {
        CU_ASSERT_EQUAL(rc, -ENOEXEC);
        CU_ASSERT(*why != NULL);
    }
    free(copy);
    return rc;
}

static void test_good(void)
{
    size_t len;
    uint8_t *img =
        make_bzimage(fake_payload, sizeof(fake_payload), 123456, &len);
    struct bzimage bz;
    const char *why;

    CU_ASSERT(bzimage_probe(img, len));
    CU_ASSERT_EQUAL(bzimage_parse(img, len, &bz, &why), 0);
    CU_ASSERT_EQUAL(bz.version, 0x20f);
    CU_ASSERT_PTR_EQUAL(bz.payload, img + PM_START + PAYLOAD_OFF);
    CU_ASSERT_EQUAL(bz.payload_len, sizeof(fake_payload));
    CU_ASSERT_EQUAL(bz.kernel_size, 123456);
    CU_ASSERT_STRING_EQUAL(payload_format(bz.payload, bz.payload_len), "xz");
    /* setup_sects 0 means 4. */
    img[0x1f1] = 0;
    CU_ASSERT_EQUAL(bzimage_parse(img, len, &bz, &why), -ENOEXEC);
    free(img);
}

struct hostile {
    const char *what;
    size_t off;
    unsigned int width; /* 1, 2 or 4 */
    uint32_t value;
    const char *want; /* a piece of the reason */
};

static void test_hostile_fields(void)
{
    static const struct hostile cases[] = {
        {"no HdrS", 0x202, 4, 0x53726448 ^ 1, "HdrS"},
        {"no boot flag", 0x1fe, 2, 0x55aa, "boot flag"},
        {"protocol 2.07", 0x206, 2, 0x207, "2.08"},
        {"a zImage", 0x211, 1, 0, "zImage"},
        {"setup_sects 255", 0x1f1, 1, 255, "truncated"},
        {"syssize too big", 0x1f4, 4, 0x10000000, "truncated"},
        {"syssize 0", 0x1f4, 4, 0, "outside"},
        {"payload offset past the end", 0x248, 4, 0x100000, "outside"},
        {"payload offset wraps", 0x248, 4, 0xffffffff, "outside"},
        {"payload length past the end", 0x24c, 4, 0x100000, "outside"},
        {"payload length wraps", 0x24c, 4, 0xfffffff0, "outside"},
        {"payload length 4", 0x24c, 4, 4, "empty"},
        {"payload length 0", 0x24c, 4, 0, "empty"},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        const struct hostile *c = &cases[i];
        size_t len;
        uint8_t *img =
            make_bzimage(fake_payload, sizeof(fake_payload), 1000, &len);
        struct bzimage bz;
        const char *why;

        if (c->width == 1)
            img[c->off] = (uint8_t)c->value;
        else if (c->width == 2)
            put16(img + c->off, (uint16_t)c->value);
        else
            put32(img + c->off, c->value);
        CU_ASSERT_EQUAL(parse(img, len, &bz, &why), -ENOEXEC);
        if (!why || !strstr(why, c->want)) {
            fprintf(stderr, "\n  %s: said \"%s\", wanted \"%s\"\n", c->what,
                    why ? why : "(nothing)", c->want);
            CU_FAIL("wrong reason");
        }
        free(img);
    }
}

static void test_appended_size(void)
{
    static const uint32_t bad[] = {0, 0xffffffff, (512u << 20) + 1};
    struct bzimage bz;
    const char *why;

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        size_t len;
        uint8_t *img =
            make_bzimage(fake_payload, sizeof(fake_payload), bad[i], &len);
        CU_ASSERT_EQUAL(parse(img, len, &bz, &why), -ENOEXEC);
        CU_ASSERT(why && strstr(why, "appended size"));
        free(img);
    }
}

static void test_truncated(void)
{
    size_t len;
    uint8_t *img = make_bzimage(fake_payload, sizeof(fake_payload), 1000, &len);
    struct bzimage bz;
    const char *why;

    /* The 100 signature bytes may go; anything more is refused. */
    for (size_t cut = 0; cut < len; cut++) {
        int rc = parse(img, cut, &bz, &why);
        CU_ASSERT_EQUAL(rc, cut >= len - 100 ? 0 : -ENOEXEC);
    }
    CU_ASSERT(!bzimage_probe(NULL, 0));
    free(img);
}

static void test_random_headers(void)
{
    size_t len;
    uint8_t *img = make_bzimage(fake_payload, sizeof(fake_payload), 1000, &len);
    uint8_t *work = malloc(len);
    struct bzimage bz;
    const char *why;
    uint32_t seed = 42;
    unsigned int accepted = 0;

    CU_ASSERT_FATAL(work != NULL);
    for (int round = 0; round < 3000; round++) {
        memcpy(work, img, len);
        /* Scramble a few bytes of the fields we read. */
        static const size_t fields[] = {
            0x1f1, 0x1f4, 0x1f5, 0x1f6, 0x1f7, 0x206, 0x207, 0x211,
            0x248, 0x249, 0x24a, 0x24b, 0x24c, 0x24d, 0x24e, 0x24f};
        for (int k = 0; k < 3; k++) {
            seed = seed * 1103515245 + 12345;
            work[fields[(seed >> 8) % ARRAY_SIZE(fields)]] =
                (uint8_t)(seed >> 20);
        }
        accepted += parse(work, len, &bz, &why) == 0;
    }
    CU_ASSERT(accepted < 3000);
    free(work);
    free(img);
}

static const struct unit_case bzimage_cases[] = {
    {"a well-formed bzImage: payload, size, version", test_good},
    {"each hostile header field is refused with its reason",
     test_hostile_fields},
    {"zero, absurd and huge appended sizes are refused", test_appended_size},
    {"every truncation past the signature is refused", test_truncated},
    {"random header fields never point outside the image", test_random_headers},
    {NULL, NULL},
};

UNIT_SUITE(bzimage, bzimage_cases)
