/*
 * sec.c: the keys of a secondary index for a record, in memory (the
 * writes of rec.c, unique checks) or encoded (builds and checks of the
 * indexes: a single field is found without decoding the record), and
 * the signature of what they are made of.  Keys come from record/'s
 * index_* functions, so they never depend on the locale.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

/*
 * The signature of an index: everything its keys are made of.  When it
 * changes (a field id, a type, the search fields, an enum's labels that
 * become search words, a unique's condition), the old keys can no longer
 * be recomputed to be deleted, so env.c rebuilds the index.  "v1" is the
 * version of the key rules themselves (folding, tokens); the search index
 * is at v2 since it leaves archived records out, v3 since it holds the
 * short prefixes of tokens (index_search_prefix_key), v4 since one
 * letter is a prefix key, v5 since it is posting lists, not associated
 * (words.c), v6 since it leaves out the tokens a query finds through
 * others and keeps a Russian phone as one (index_search_stored_keys).
 * A field index is "packed" when its ids are kept in chunks (pack.c),
 * "runs" when its pairs are kept in runs (runs.c).
 */
char *
sec_signature(struct store_index *ix)
{
	const struct table *t = ix->st->t;
	const struct field *f;
	struct buf	 b = BUF_INIT;
	size_t		 i, j;

	switch (ix->kind) {
	case SIX_FIELD:
		f = ix->field;
		buf_printf(&b, "v1 field %u %d %s%s%s", (unsigned)f->id,
		    ix->ixkind, field_type_name(f->type),
		    f->multi ? " multi" : "", ix->packed == PACK_CHUNKS ?
		    " packed" : ix->packed == PACK_RUNS ? " runs" : "");
		break;
	case SIX_UNIQUE:
		buf_adds(&b, "v1 unique");
		for (i = 0; i < ix->uq->nfields; i++) {
			f = &t->fields[ix->uq->fields[i]];
			buf_printf(&b, " %u:%s", (unsigned)f->id,
			    field_type_name(f->type));
		}
		if (ix->uq->when_field >= 0)
			buf_printf(&b, " when %u=%s",
			    (unsigned)t->fields[ix->uq->when_field].id,
			    ix->uq->when_value != NULL ? ix->uq->when_value :
			    "");
		break;
	case SIX_SEARCH:
		buf_adds(&b, "v6 postings");
		for (i = 0; i < t->nfields; i++) {
			f = &t->fields[i];
			if (!(f->index & IX_SEARCH))
				continue;
			buf_printf(&b, " %u:%s%s", (unsigned)f->id,
			    field_type_name(f->type), f->multi ? "*" : "");
			for (j = 0; j < f->nvalues; j++)
				buf_printf(&b, "[%s|%s|%s]", f->values[j].name,
				    f->values[j].label[0] ?
				    f->values[j].label[0] : "",
				    f->values[j].label[1] ?
				    f->values[j].label[1] : "");
		}
		break;
	}
	return (buf_detach(&b, NULL));
}

void
sec_record_keys(struct store_index *ix, const struct record *rec,
    struct keyset *ks)
{
	if (ix->kind == SIX_SEARCH && (rec->flags & REC_ARCHIVED))
		return;
	switch (ix->kind) {
	case SIX_FIELD:
		index_field_keys(rec, ix->field->pos, ix->ixkind, ks);
		break;
	case SIX_UNIQUE:
		index_unique_keys(rec, ix->uq, ks);
		break;
	case SIX_SEARCH:
		index_search_stored_keys(rec, ks);
		break;
	}
}

int
sec_data_keys(struct store_index *ix, const void *data, size_t len,
    struct keyset *ks)
{
	struct record	*rec;
	struct value	 v;
	int		 r;

	if (ix->kind == SIX_FIELD) {
		/* One field: found in place, nothing decoded. */
		r = record_decode_field(data, len, ix->field->id, &v);
		if (r == -1)
			return (-1);
		if (r == 1)
			index_value_keys(ix->field, &v, ix->ixkind, ks);
		return (0);
	}
	/*
	 * Archived records leave the word index (and come back when
	 * restored): search never shows them, so it need not look.
	 */
	if (ix->kind == SIX_SEARCH && len > 1 &&
	    (((const unsigned char *)data)[1] & REC_ARCHIVED))
		return (0);
	rec = record_new(ix->st->t);
	if (record_decode(rec, data, len, NULL) == -1) {
		record_free(rec);
		return (-1);
	}
	sec_record_keys(ix, rec, ks);
	record_free(rec);
	return (0);
}
