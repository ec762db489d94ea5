/*
 * demo-gen.h: a deterministic generator of realistic Russian client data
 * for the party table (forms/party.form): private persons, sole proprietors and
 * organisations with names in their proper gender forms, addresses,
 * phones, e-mails and requisites (ИНН, КПП, ОГРН/ОГРНИП, БИК and accounts)
 * whose checksums are right.  The same seed gives the same parties on
 * every machine (integer arithmetic only).  Used by the benchmark and by
 * `clerk admin demo`; knows nothing of either, nor of the store.
 */
#ifndef CLERK_GEN_H
#define CLERK_GEN_H

#include <stdint.h>
#include <sys/types.h>

#include "record/record.h"

#define GEN_MAXFIELDS	32

struct gen {
	uint64_t	 s[4];		/* xoshiro256** state */
	uint64_t	 seq;		/* parties made so far */
	uint64_t	 salt;		/* from the seed: shifts requisites */
	/* Positions of the fields in the table last seen (-1: absent). */
	const struct table *table;
	ssize_t		 pos[GEN_MAXFIELDS];
	int		 kind;		/* of the last party: GEN_PERSON ... */
};

#define GEN_PERSON	0
#define GEN_SOLE	1
#define GEN_ORG		2

void	 gen_init(struct gen *, uint64_t);
/* 64 random bits; a number in [0, n) (n > 0). */
uint64_t gen_next(struct gen *);
uint64_t gen_below(struct gen *, uint64_t);
/*
 * Fill a fresh record of a party-like table (record_new()) with the next
 * party, through record_parse() as if typed by a person.  Fields the
 * table does not have are skipped, so an edited form still works.  ИНН
 * and ОГРН/ОГРНИП are unique among the first ten million parties of one
 * generator.  A value the record layer refuses is a bug here: fatal().
 */
void	 gen_party(struct gen *, struct record *);
/*
 * Fill a fresh record of a contact-like table (forms/contact.form) with
 * a contact person of the party with the given id: name, position,
 * phones, e-mails.  Fields the table lacks are skipped; fatal() on a
 * value refused, like gen_party().
 */
void	 gen_contact(struct gen *, struct record *, uint64_t);

#endif
