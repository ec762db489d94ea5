# gen-parties.awk: n valid private persons for "clerk import party", as
# CSV with a header: awk -v n=100000 -f gen-parties.awk.  Quick and
# deterministic: names from short lists, ИНН (12 digits) with their two
# check digits, unique phones and e-mails, dates, a quoted note with a
# comma.
function inn12(k,   d, i, s, c1, c2) {
	s = sprintf("77%08d", k)
	for (i = 1; i <= 10; i++)
		d[i] = substr(s, i, 1) + 0
	c1 = 0
	for (i = 1; i <= 10; i++)
		c1 += w1[i] * d[i]
	c1 = (c1 % 11) % 10
	d[11] = c1
	c2 = 0
	for (i = 1; i <= 11; i++)
		c2 += w2[i] * d[i]
	c2 = (c2 % 11) % 10
	return s c1 c2
}
BEGIN {
	split("7 2 4 10 3 5 9 4 6 8", w1, " ")
	split("3 7 2 4 10 3 5 9 4 6 8", w2, " ")
	split("Иванов Петров Сидоров Смирнов Кузнецов Попов Васильев " \
	    "Соколов Михайлов Новиков", fam, " ")
	split("Иван Пётр Сергей Алексей Дмитрий Андрей Николай Юрий Олег " \
	    "Фёдор", nam, " ")
	split("Москва Тверь Казань Самара Омск Пермь Уфа Сочи Тула Курск",
	    city, " ")
	print "kind,name,inn,city,phones,emails,birthday,notes"
	for (i = 1; i <= n; i++)
		printf "person,%s %s %d,%s,%s,+7916%07d,p%d@example.ru," \
		    "%04d-%02d-%02d,\"Заметка %d, строка\"\n",
		    fam[i % 10 + 1], nam[int(i / 10) % 10 + 1], i, inn12(i),
		    city[int(i / 100) % 10 + 1], i, i, 1950 + i % 50,
		    i % 12 + 1, i % 28 + 1, i
}
