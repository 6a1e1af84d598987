// SPDX-License-Identifier: GPL-2.0
/*
 * afalg DRIVER - drives one AES-CBC skcipher implementation, by driver name
 * (e.g. virtio_crypto_aes_cbc), through the kernel's AF_ALG socket interface
 * and checks what it computes:
 *
 *  1. NIST SP 800-38A F.2.1/F.2.2 (CBC-AES128): encrypting the four plaintext
 *     blocks must give the published ciphertext, and decrypting it the
 *     plaintext again;
 *  2. 64 KiB of pseudo-random data encrypted by DRIVER must decrypt with the
 *     kernel's generic implementation, cbc(aes-generic), and the reverse.
 *
 * Built statically on the host (tests/guest/scenarios-matrix.sh) for the
 * matrix guests, which have no crypto tools.  Exit status 0 when all holds;
 * 3 when AF_ALG does not offer DRIVER (Linux 7.x's AF_ALG refuses
 * asynchronous algorithms such as virtio-crypto's), 1 on any other failure.
 */
#include <errno.h>
#include <linux/if_alg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SOL_ALG
#define SOL_ALG 279
#endif

#define BIG (64 * 1024)

/* NIST SP 800-38A F.2.1: key, IV, plaintext and ciphertext, in hex. */
static const char nist_hex[] =
	"2b7e151628aed2a6abf7158809cf4f3c"
	"000102030405060708090a0b0c0d0e0f"
	"6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
	"30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710"
	"7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
	"73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7";

static unsigned char nist_key[16], nist_iv[16], nist_plain[64], nist_cipher[64];

/* Fills the four vectors from nist_hex, in that order. */
static void nist_vectors(void)
{
	unsigned char *dst[] = { nist_key, nist_iv, nist_plain, nist_cipher };
	size_t len[] = { 16, 16, 64, 64 }, i, k;
	const char *h = nist_hex;

	for (i = 0; i < 4; i++)
		for (k = 0; k < len[i]; k++, h += 2)
			sscanf(h, "%2hhx", &dst[i][k]);
}

/* One operation (ALG_OP_ENCRYPT or ALG_OP_DECRYPT) of @len bytes. */
static int run(const char *driver, unsigned int op,
	       const unsigned char *in, unsigned char *out, size_t len)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG };
	char cbuf[CMSG_SPACE(sizeof(op)) +
		  CMSG_SPACE(sizeof(struct af_alg_iv) + sizeof(nist_iv))];
	struct iovec iov = { .iov_base = (void *)in, .iov_len = len };
	struct msghdr msg = {
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	struct af_alg_iv *iv;
	struct cmsghdr *c;
	size_t done = 0;
	int tfm, fd, ret = -1;
	ssize_t n;

	memset(cbuf, 0, sizeof(cbuf));
	strcpy((char *)sa.salg_type, "skcipher");
	snprintf((char *)sa.salg_name, sizeof(sa.salg_name), "%s", driver);
	tfm = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (tfm < 0) {
		perror("socket(AF_ALG)");
		return -1;
	}
	if (bind(tfm, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = errno;

		fprintf(stderr, "bind %s: %s\n", driver, strerror(err));
		if (err == ENOENT) {
			close(tfm);
			return -ENOENT;
		}
		goto out_tfm;
	}
	if (setsockopt(tfm, SOL_ALG, ALG_SET_KEY, nist_key, sizeof(nist_key)) < 0) {
		perror("ALG_SET_KEY");
		goto out_tfm;
	}
	fd = accept(tfm, NULL, 0);
	if (fd < 0) {
		perror("accept");
		goto out_tfm;
	}

	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_OP;
	c->cmsg_len = CMSG_LEN(sizeof(op));
	memcpy(CMSG_DATA(c), &op, sizeof(op));
	c = CMSG_NXTHDR(&msg, c);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_IV;
	c->cmsg_len = CMSG_LEN(sizeof(*iv) + sizeof(nist_iv));
	iv = (struct af_alg_iv *)CMSG_DATA(c);
	iv->ivlen = sizeof(nist_iv);
	memcpy(iv->iv, nist_iv, sizeof(nist_iv));

	if (sendmsg(fd, &msg, 0) != (ssize_t)len) {
		perror("sendmsg");
		goto out_fd;
	}
	while (done < len) {
		n = read(fd, out + done, len - done);
		if (n <= 0) {
			perror("read");
			goto out_fd;
		}
		done += (size_t)n;
	}
	ret = 0;
out_fd:
	close(fd);
out_tfm:
	close(tfm);
	return ret;
}

int main(int argc, char **argv)
{
	static unsigned char a[BIG], b[BIG], c[BIG];
	unsigned char out[64];
	unsigned int seed = 1;
	size_t i;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: afalg DRIVER\n");
		return 2;
	}
	nist_vectors();
	rc = run(argv[1], ALG_OP_ENCRYPT, nist_plain, out, sizeof(out));
	if (rc == -ENOENT) {
		fprintf(stderr, "%s: AF_ALG does not offer it\n", argv[1]);
		return 3;
	}
	if (rc || memcmp(out, nist_cipher, sizeof(out))) {
		fprintf(stderr, "%s: NIST CBC-AES128 encryption wrong\n", argv[1]);
		return 1;
	}
	if (run(argv[1], ALG_OP_DECRYPT, nist_cipher, out, sizeof(out)) ||
	    memcmp(out, nist_plain, sizeof(out))) {
		fprintf(stderr, "%s: NIST CBC-AES128 decryption wrong\n", argv[1]);
		return 1;
	}
	printf("%s: NIST SP 800-38A CBC-AES128 vectors: encrypt and decrypt match\n",
	       argv[1]);

	for (i = 0; i < BIG; i++) {
		seed = seed * 1103515245u + 12345u;
		a[i] = (unsigned char)(seed >> 16);
	}
	if (run(argv[1], ALG_OP_ENCRYPT, a, b, BIG) ||
	    run("cbc(aes-generic)", ALG_OP_DECRYPT, b, c, BIG) ||
	    memcmp(a, c, BIG)) {
		fprintf(stderr, "%s: 64 KiB encrypted do not decrypt with cbc(aes-generic)\n",
			argv[1]);
		return 1;
	}
	if (run("cbc(aes-generic)", ALG_OP_ENCRYPT, a, b, BIG) ||
	    run(argv[1], ALG_OP_DECRYPT, b, c, BIG) || memcmp(a, c, BIG)) {
		fprintf(stderr, "%s: 64 KiB from cbc(aes-generic) do not decrypt\n",
			argv[1]);
		return 1;
	}
	printf("%s: 64 KiB both ways against cbc(aes-generic): identical\n", argv[1]);
	return 0;
}
