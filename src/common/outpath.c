/* outpath.c: %p %e %t %h %% expansion of IPCGUARD_OUTPUT templates. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "ipcg/jsonw.h"
#include "ipcg/outpath.h"

static int append(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
	if (*len + n + 1 > cap)
		return -ENAMETOOLONG;
	memcpy(out + *len, s, n);
	*len += n;
	out[*len] = '\0';
	return 0;
}

/* A %e or %h value as one file-name component: '/' becomes '_' and so
 * does a leading '.', so that neither a host name such as "../../x" nor
 * "." or ".." can lead the path out of the template's directory. */
static int append_component(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
	size_t start = *len;
	int ret = append(out, cap, len, s, n);

	for (size_t i = start; ret == 0 && i < *len; i++)
		if (out[i] == '/' || (i == start && out[i] == '.'))
			out[i] = '_';
	return ret;
}

static int expand(char *out, size_t cap, const char *tmpl, const struct ipcg_outpath_vars *v)
{
	size_t len = 0;
	char num[24];
	int ret = 0;

	if (out && cap)
		out[0] = '\0';
	for (const char *p = tmpl; *p && ret == 0; p++) {
		const char *s = p;
		size_t n = 1;
		bool component = false;
		if (*p == '%') {
			p++;
			switch (*p) {
			case '%': s = "%"; break;
			case 'p': n = ipcg_fmt_u64(num, v ? (uint64_t)v->pid : 0); s = num; break;
			case 't': n = ipcg_fmt_u64(num, v ? v->start_sec : 0); s = num; break;
			case 'e': s = v && v->exe ? v->exe : "x"; n = strlen(s); component = true; break;
			case 'h': s = v && v->host ? v->host : "x"; n = strlen(s); component = true; break;
			default: return -EINVAL;	/* includes a trailing '%' */
			}
		}
		if (out)
			ret = component ? append_component(out, cap, &len, s, n) :
					  append(out, cap, &len, s, n);
	}
	return ret;
}

int ipcg_outpath_expand(char *out, size_t cap, const char *tmpl,
			const struct ipcg_outpath_vars *v)
{
	return expand(out, cap, tmpl, v);
}

int ipcg_outpath_check(const char *tmpl)
{
	if (!tmpl[0])
		return -EINVAL;
	return expand(NULL, 0, tmpl, NULL);
}
