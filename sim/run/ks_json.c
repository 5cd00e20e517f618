/* ks_json.c - shared json-glib idioms. */
#include "ks_json.h"

#include <math.h>
#include <string.h>

void ks_json_int(JsonBuilder *b, const char *key, gint64 v) {
  json_builder_set_member_name(b, key);
  json_builder_add_int_value(b, v);
}

void ks_json_bool(JsonBuilder *b, const char *key, gboolean v) {
  json_builder_set_member_name(b, key);
  json_builder_add_boolean_value(b, v);
}

void ks_json_str(JsonBuilder *b, const char *key, const char *v) {
  json_builder_set_member_name(b, key);
  if (v)
    json_builder_add_string_value(b, v);
  else
    json_builder_add_null_value(b);
}

void ks_json_seconds(JsonBuilder *b, const char *key, ka_time t) {
  json_builder_set_member_name(b, key);
  if (t == KA_TIME_NEVER)
    json_builder_add_null_value(b);
  else
    json_builder_add_double_value(b, (double)t / 1e9);
}

void ks_json_format_double(double v, char buf[G_ASCII_DTOSTR_BUF_SIZE]) {
  /* %.15g round-trips whenever a decimal of 15 digits or fewer does, and
   * then it is that decimal; otherwise 16 or, always, 17 digits do. */
  static const char *const fmts[] = {"%.15g", "%.16g", "%.17g"};
  for (size_t i = 0; i < G_N_ELEMENTS(fmts); i++) {
    g_ascii_formatd(buf, G_ASCII_DTOSTR_BUF_SIZE, fmts[i], v);
    if (g_ascii_strtod(buf, NULL) == v)
      break;
  }
  /* A JSON reader should still see a double: 10800.0, not 10800. */
  if (isfinite(v) && strpbrk(buf, ".eE") == NULL)
    g_strlcat(buf, ".0", G_ASCII_DTOSTR_BUF_SIZE);
}

/* Rewrites, outside strings, every number with a fraction or an exponent in
 * its shortest round-trip form. */
static char *shorten_numbers(const char *text) {
  GString *out = g_string_sized_new(strlen(text));
  gboolean in_str = FALSE;
  for (const char *p = text; *p;) {
    char c = *p;
    if (in_str) {
      g_string_append_c(out, c);
      if (c == '\\' && p[1])
        g_string_append_c(out, *++p);
      else if (c == '"')
        in_str = FALSE;
      p++;
      continue;
    }
    if (c == '"') {
      in_str = TRUE;
      g_string_append_c(out, c);
      p++;
      continue;
    }
    if (c == '-' || g_ascii_isdigit(c)) {
      const char *end = p + 1;
      gboolean real = FALSE;
      while (*end && strchr("0123456789+-.eE", *end)) {
        real |= *end == '.' || *end == 'e' || *end == 'E';
        end++;
      }
      if (real) {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];
        ks_json_format_double(g_ascii_strtod(p, NULL), buf);
        g_string_append(out, buf);
      } else {
        g_string_append_len(out, p, end - p);
      }
      p = end;
      continue;
    }
    g_string_append_c(out, c);
    p++;
  }
  return g_string_free(out, FALSE);
}

char *ks_json_node_to_text(JsonNode *root, gboolean pretty) {
  JsonGenerator *gen = json_generator_new();
  json_generator_set_pretty(gen, pretty);
  json_generator_set_root(gen, root);
  char *raw = json_generator_to_data(gen, NULL);
  g_object_unref(gen);
  char *text = shorten_numbers(raw);
  g_free(raw);
  return text;
}

char *ks_json_finish(JsonBuilder *b) {
  JsonNode *root = json_builder_get_root(b);
  char *text = ks_json_node_to_text(root, TRUE);
  json_node_unref(root);
  g_object_unref(b);
  return text;
}
