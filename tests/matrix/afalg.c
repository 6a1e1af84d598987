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
 * matrix guests, which have no crypto tools.  Exit status 0 when all holds.
 */
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

static const unsigned char nist_key[16] = {
	0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
	0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c,
};

static const unsigned char nist_iv[16] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
};

static const unsigned char nist_plain[64] = {
	0x6b, 0xc1, 0xbe, 0xe2, 0x2e, 0x40, 0x9f, 0x96,
	0xe9, 0x3d, 0x7e, 0x11, 0x73, 0x93, 0x17, 0x2a,
	0xae, 0x2d, 0x8a, 0x57, 0x1e, 0x03, 0xac, 0x9c,
	0x9e, 0xb7, 0x6f, 0xac, 0x45, 0xaf, 0x8e, 0x51,
	0x30, 0xc8, 0x1c, 0x46, 0xa3, 0x5c, 0xe4, 0x11,
	0xe5, 0xfb, 0xc1, 0x19, 0x1a, 0x0a, 0x52, 0xef,
	0xf6, 0x9f, 0x24, 0x45, 0xdf, 0x4f, 0x9b, 0x17,
	0xad, 0x2b, 0x41, 0x7b, 0xe6, 0x6c, 0x37, 0x10,
};

static const unsigned char nist_cipher[64] = {
	0x76, 0x49, 0xab, 0xac, 0x81, 0x19, 0xb2, 0x46,
	0xce, 0xe9, 0x8e, 0x9b, 0x12, 0xe9, 0x19, 0x7d,
	0x50, 0x86, 0xcb, 0x9b, 0x50, 0x72, 0x19, 0xee,
	0x95, 0xdb, 0x11, 0x3a, 0x91, 0x76, 0x78, 0xb2,
	0x73, 0xbe, 0xd6, 0xb8, 0xe3, 0xc1, 0x74, 0x3b,
	0x71, 0x16, 0xe6, 0x9e, 0x22, 0x22, 0x95, 0x16,
	0x3f, 0xf1, 0xca, 0xa1, 0x68, 0x1f, 0xac, 0x09,
	0x12, 0x0e, 0xca, 0x30, 0x75, 0x86, 0xe1, 0xa7,
};

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
		fprintf(stderr, "bind %s: ", driver);
		perror(NULL);
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

	if (argc != 2) {
		fprintf(stderr, "usage: afalg DRIVER\n");
		return 2;
	}
	if (run(argv[1], ALG_OP_ENCRYPT, nist_plain, out, sizeof(out)) ||
	    memcmp(out, nist_cipher, sizeof(out))) {
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
