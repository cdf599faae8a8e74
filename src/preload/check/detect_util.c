/* check/detect_util.c: message and fact helpers of check/detect.h. */
#include "check/detect.h"
#include "ipcg/xlat.h"

void ipcg_msg_key(struct ipcg_msg *m, key_t key)
{
	char hex[16];
	static const char digits[] = "0123456789abcdef";
	uint32_t k = (uint32_t)key;

	if (key == IPC_PRIVATE) {
		ipcg_msg_s(m, "IPC_PRIVATE");
		return;
	}
	hex[0] = '0';
	hex[1] = 'x';
	for (int i = 0; i < 8; i++)
		hex[2 + i] = digits[(k >> (28 - 4 * i)) & 0xf];
	hex[10] = '\0';
	ipcg_msg_s(m, hex);
}

void ipcg_msg_bytes(struct ipcg_msg *m, const char *s, size_t n, size_t max)
{
	static const char digits[] = "0123456789abcdef";
	char out[4 * 128 + 8];
	size_t k = 0;

	for (size_t i = 0; i < n && i < max && k + 5 < sizeof(out); i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f) {
			out[k++] = (char)c;
		} else {
			out[k++] = '\\';
			out[k++] = 'x';
			out[k++] = digits[c >> 4];
			out[k++] = digits[c & 0xf];
		}
	}
	if (n > max && k + 4 < sizeof(out)) {
		out[k++] = '.';
		out[k++] = '.';
		out[k++] = '.';
	}
	out[k] = '\0';
	ipcg_msg_s(m, out);
}

void ipcg_msg_seq(struct ipcg_msg *m, const char *what, uint64_t seq)
{
	if (!seq)
		return;
	ipcg_msg_s(m, what);
	ipcg_msg_s(m, " seq ");
	ipcg_msg_u(m, seq);
}

void ipcg_fact_key(struct ipcg_jw *w, const char *name, key_t key)
{
	ipcg_jw_key(w, name);
	if (key == IPC_PRIVATE)
		ipcg_jw_str(w, "IPC_PRIVATE");
	else
		ipcg_jw_hex_width(w, (uint32_t)key, 8);
}

void ipcg_fact_stack(struct ipcg_jw *w, const char *name, uint32_t id)
{
	uint32_t s = ipcg_stack_resolve(id);

	ipcg_jw_key(w, name);
	if (s)
		ipcg_jw_u64(w, s);
	else
		ipcg_jw_null(w);
}

void ipcg_fact_seq(struct ipcg_jw *w, const char *name, uint64_t seq)
{
	ipcg_jw_key(w, name);
	if (seq)
		ipcg_jw_u64(w, seq);
	else
		ipcg_jw_null(w);
}

void ipcg_msg_failed(struct ipcg_msg *m, int err)
{
	const char *name = ipcg_errno_name(err);

	ipcg_msg_s(m, " failed with ");
	ipcg_msg_s(m, name ? name : "an error");
}
