/*
 * demo-gen.c: deterministic, realistic Russian parties for the benchmark and
 * the demo.  Owns the word lists, the pseudo-random generator and the
 * requisite checksums; fills records only through record_parse(), the
 * way a person typing would, so it never depends on how values are kept.
 * Must not touch the store, print, or read anything outside itself
 * (determinism: no time, no locale, no floating point).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "util/util.h"
#include "record/record.h"
#include "demo-gen.h"

/* The fields filled, by name, so an edited form degrades gracefully. */
enum {
	GF_KIND, GF_NAME, GF_SHORT, GF_INN, GF_KPP, GF_OGRN, GF_BIK, GF_BANK,
	GF_ACCOUNT, GF_CORR, GF_LEGAL, GF_POSTAL, GF_CITY, GF_PHONES,
	GF_EMAILS, GF_BIRTHDAY, GF_MANAGER, GF_SOURCE, GF_STATUS, GF_TAGS,
	GF_NOTES, GF_COUNT
};
static const char *gen_fields[GF_COUNT] = {
	"kind", "name", "short_name", "inn", "kpp", "ogrn", "bank_bik",
	"bank_name", "bank_account", "bank_corr", "legal_address",
	"postal_address", "city", "phones", "emails", "birthday", "manager",
	"source", "status", "tags", "notes"
};
_Static_assert(GF_COUNT <= GEN_MAXFIELDS, "struct gen too small");

/* Male forms; gen_feminine() derives the female ones. */
static const char *surnames[] = {
	"Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров",
	"Соколов", "Михайлов", "Новиков", "Фёдоров", "Морозов", "Волков",
	"Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
	"Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
	"Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев",
	"Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров",
	"Дмитриев", "Королёв", "Гусев", "Киселёв", "Ильин", "Максимов",
	"Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов", "Медведев",
	"Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов", "Комаров",
	"Давыдов", "Беляев", "Герасимов", "Богданов", "Осипов", "Сидоров",
	"Матвеев", "Титов", "Марков", "Миронов", "Крылов", "Куликов",
	"Карпов", "Власов", "Мельников", "Денисов", "Гаврилов", "Тихонов",
	"Казаков", "Афанасьев", "Данилов", "Савельев", "Тимофеев", "Фомин",
	"Чернов", "Абрамов", "Мартынов", "Ефимов", "Федотов", "Щербаков",
	"Назаров", "Калинин", "Исаев", "Чернышёв", "Быков", "Маслов",
	"Родионов", "Коновалов", "Лазарев", "Воронин", "Климов", "Филатов",
	"Пономарёв", "Голубев", "Кудрявцев", "Прохоров", "Наумов", "Потапов",
	"Журавлёв", "Овчинников", "Трофимов", "Леонов", "Соболев", "Ермаков",
	"Колесников", "Гончаров", "Емельянов", "Никифоров", "Грачёв", "Котов",
	"Гришин", "Ефремов", "Архипов", "Громов", "Кириллов", "Малышев",
	"Панов", "Моисеев", "Румянцев", "Акимов", "Кондратьев", "Бирюков",
	"Горбунов", "Анисимов", "Ерёмин", "Тихомиров", "Галкин", "Лукьянов",
	"Михеев", "Скворцов", "Юдин", "Белоусов", "Нестеров", "Симонов",
	"Прокофьев", "Харитонов", "Князев", "Цветков", "Левин", "Митрофанов",
	"Воронцов", "Аксёнов", "Мальцев", "Логинов", "Горшков", "Савин",
	"Краснов", "Майоров", "Демидов", "Елисеев", "Рыбаков", "Сафонов",
	"Плотников", "Дёмин", "Хохлов", "Жданов", "Ершов", "Шестаков",
	"Третьяков", "Блинов", "Шубин", "Брагин", "Лаврентьев", "Зуев",
	"Левицкий", "Покровский", "Успенский", "Вишневский", "Горский",
	"Преображенский", "Добровольский", "Островский", "Троицкий",
	"Высоцкий", "Заболоцкий", "Яблонский", "Толстой", "Трубецкой",
	"Боровой", "Луговой", "Полевой", "Береговой", "Черных", "Белых",
	"Седых", "Долгих", "Широких", "Шевченко", "Коваленко", "Бондаренко",
	"Ткаченко", "Кравченко", "Шевчук", "Ковальчук", "Полищук",
	"Мельничук", "Гуменюк", "Ким", "Гарипов", "Хабибуллин", "Сафин",
	"Галиев", "Валиев", "Алиев", "Мамедов", "Юсупов", "Ахмедов"
};

/* Male first names with the patronymics they give, male and female. */
static const struct male_name {
	const char	*name, *patr_m, *patr_f;
} male_names[] = {
	{ "Александр", "Александрович", "Александровна" },
	{ "Сергей", "Сергеевич", "Сергеевна" },
	{ "Дмитрий", "Дмитриевич", "Дмитриевна" },
	{ "Андрей", "Андреевич", "Андреевна" },
	{ "Алексей", "Алексеевич", "Алексеевна" },
	{ "Максим", "Максимович", "Максимовна" },
	{ "Евгений", "Евгеньевич", "Евгеньевна" },
	{ "Иван", "Иванович", "Ивановна" },
	{ "Михаил", "Михайлович", "Михайловна" },
	{ "Артём", "Артёмович", "Артёмовна" },
	{ "Николай", "Николаевич", "Николаевна" },
	{ "Владимир", "Владимирович", "Владимировна" },
	{ "Павел", "Павлович", "Павловна" },
	{ "Денис", "Денисович", "Денисовна" },
	{ "Роман", "Романович", "Романовна" },
	{ "Игорь", "Игоревич", "Игоревна" },
	{ "Олег", "Олегович", "Олеговна" },
	{ "Виктор", "Викторович", "Викторовна" },
	{ "Юрий", "Юрьевич", "Юрьевна" },
	{ "Константин", "Константинович", "Константиновна" },
	{ "Кирилл", "Кириллович", "Кирилловна" },
	{ "Никита", "Никитич", "Никитична" },
	{ "Илья", "Ильич", "Ильинична" },
	{ "Антон", "Антонович", "Антоновна" },
	{ "Вадим", "Вадимович", "Вадимовна" },
	{ "Василий", "Васильевич", "Васильевна" },
	{ "Григорий", "Григорьевич", "Григорьевна" },
	{ "Тимур", "Тимурович", "Тимуровна" },
	{ "Руслан", "Русланович", "Руслановна" },
	{ "Станислав", "Станиславович", "Станиславовна" },
	{ "Егор", "Егорович", "Егоровна" },
	{ "Фёдор", "Фёдорович", "Фёдоровна" },
	{ "Пётр", "Петрович", "Петровна" },
	{ "Лев", "Львович", "Львовна" },
	{ "Борис", "Борисович", "Борисовна" },
	{ "Геннадий", "Геннадьевич", "Геннадьевна" },
	{ "Анатолий", "Анатольевич", "Анатольевна" },
	{ "Валерий", "Валерьевич", "Валерьевна" },
	{ "Леонид", "Леонидович", "Леонидовна" },
	{ "Георгий", "Георгиевич", "Георгиевна" },
	{ "Ярослав", "Ярославович", "Ярославовна" },
	{ "Матвей", "Матвеевич", "Матвеевна" },
	{ "Степан", "Степанович", "Степановна" },
	{ "Глеб", "Глебович", "Глебовна" }
};

static const char *female_names[] = {
	"Анна", "Мария", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина",
	"Екатерина", "Светлана", "Юлия", "Анастасия", "Марина", "Людмила",
	"Галина", "Надежда", "Валентина", "Дарья", "Ксения", "Алина",
	"Виктория", "Полина", "Софья", "Вера", "Любовь", "Лариса", "Евгения",
	"Александра", "Кристина", "Оксана", "Яна", "Алёна", "Валерия", "Нина",
	"Зоя", "Лидия", "Маргарита", "Диана", "Елизавета", "Варвара",
	"Вероника"
};

/*
 * Cities, weighted roughly by how many businesses they hold, with the
 * region for addresses, the region code that starts ИНН and ОГРН, the
 * telephone code and the first postal index with the span of indexes.
 */
static const struct city {
	const char	*name, *region;
	int		 weight;
	const char	*taxcode, *phonecode;
	int		 index, span;
} cities[] = {
	{ "Москва", NULL, 300, "77", "495", 101000, 29000 },
	{ "Санкт-Петербург", NULL, 120, "78", "812", 190000, 9000 },
	{ "Новосибирск", "Новосибирская обл.", 40, "54", "383", 630000, 1100 },
	{ "Екатеринбург", "Свердловская обл.", 40, "66", "343", 620000, 1100 },
	{ "Казань", "Респ. Татарстан", 32, "16", "843", 420000, 1100 },
	{ "Нижний Новгород", "Нижегородская обл.", 30, "52", "831", 603000,
	    1000 },
	{ "Челябинск", "Челябинская обл.", 28, "74", "351", 454000, 1000 },
	{ "Самара", "Самарская обл.", 27, "63", "846", 443000, 1000 },
	{ "Омск", "Омская обл.", 20, "55", "3812", 644000, 1000 },
	{ "Ростов-на-Дону", "Ростовская обл.", 28, "61", "863", 344000, 1000 },
	{ "Уфа", "Респ. Башкортостан", 22, "02", "347", 450000, 1000 },
	{ "Красноярск", "Красноярский край", 22, "24", "391", 660000, 1000 },
	{ "Воронеж", "Воронежская обл.", 20, "36", "473", 394000, 1000 },
	{ "Пермь", "Пермский край", 20, "59", "342", 614000, 1000 },
	{ "Волгоград", "Волгоградская обл.", 18, "34", "8442", 400000, 1000 },
	{ "Краснодар", "Краснодарский край", 30, "23", "861", 350000, 1000 },
	{ "Саратов", "Саратовская обл.", 14, "64", "8452", 410000, 1000 },
	{ "Тюмень", "Тюменская обл.", 15, "72", "3452", 625000, 1000 },
	{ "Тольятти", "Самарская обл.", 10, "63", "8482", 445000, 1000 },
	{ "Ижевск", "Удмуртская Респ.", 10, "18", "3412", 426000, 1000 },
	{ "Барнаул", "Алтайский край", 10, "22", "3852", 656000, 1000 },
	{ "Ульяновск", "Ульяновская обл.", 9, "73", "8422", 432000, 1000 },
	{ "Иркутск", "Иркутская обл.", 10, "38", "3952", 664000, 1000 },
	{ "Хабаровск", "Хабаровский край", 9, "27", "4212", 680000, 1000 },
	{ "Ярославль", "Ярославская обл.", 9, "76", "4852", 150000, 1000 },
	{ "Владивосток", "Приморский край", 10, "25", "423", 690000, 1000 },
	{ "Махачкала", "Респ. Дагестан", 7, "05", "8722", 367000, 1000 },
	{ "Томск", "Томская обл.", 8, "70", "3822", 634000, 1000 },
	{ "Оренбург", "Оренбургская обл.", 8, "56", "3532", 460000, 1000 },
	{ "Кемерово", "Кемеровская обл.", 8, "42", "3842", 650000, 1000 },
	{ "Калининград", "Калининградская обл.", 9, "39", "4012", 236000,
	    1000 },
	{ "Тула", "Тульская обл.", 8, "71", "4872", 300000, 1000 },
	{ "Сочи", "Краснодарский край", 8, "23", "862", 354000, 400 },
	{ "Мытищи", "Московская обл.", 7, "50", "495", 141000, 100 },
	{ "Химки", "Московская обл.", 7, "50", "495", 141400, 100 },
	{ "Подольск", "Московская обл.", 6, "50", "4967", 142100, 100 }
};

static const char *streets[] = {
	"ул. Ленина", "ул. Советская", "ул. Мира", "пр-т Мира", "ул. Гагарина",
	"ул. Пушкина", "ул. Садовая", "ул. Молодёжная", "ул. Лесная",
	"ул. Школьная", "ул. Центральная", "ул. Новая", "ул. Набережная",
	"ул. Кирова", "ул. Заводская", "ул. Октябрьская", "ул. Комсомольская",
	"ул. Первомайская", "ул. Строителей", "пер. Почтовый",
	"ш. Энтузиастов", "ул. Профсоюзная", "Ленинский пр-т",
	"ул. Маяковского", "ул. Чехова", "ул. Лермонтова", "ул. Горького",
	"ул. Победы", "ул. Свободы", "ул. Труда",
	"ул. Карла Маркса", "ул. Фрунзе", "ул. Суворова", "ул. Куйбышева",
	"ул. Дзержинского", "Промышленный проезд", "ул. Полевая",
	"ул. Луговая", "ул. Рабочая", "ул. Вокзальная", "бул. Цветной",
	"ул. Красная", "ул. 8 Марта", "ул. 40 лет Победы", "пл. Революции"
};

static const char *legal_forms[] = { "ООО", "АО", "ЗАО", "ПАО" };
static const int legal_form_weights[] = { 84, 9, 5, 2 };

/* Brand names: one word, compounds of stems, or descriptive phrases. */
static const char *brand_words[] = {
	"Ромашка", "Вектор", "Гермес", "Восток", "Альфа", "Сигма", "Меридиан",
	"Горизонт", "Каскад", "Атлант", "Рассвет", "Спектр", "Феникс",
	"Импульс", "Орион", "Лидер", "Стандарт", "Прогресс", "Магистраль",
	"Фортуна", "Континент", "Олимп", "Радуга", "Эталон", "Берёзка",
	"Кедр", "Сапсан", "Визит", "Квант", "Нева", "Волга", "Ладога",
	"Байкал", "Аврора", "Парус", "Янтарь", "Гранит", "Альянс", "Мегаполис",
	"Пульсар", "Фаворит", "Созвездие", "Полярис", "Ирбис", "Эверест",
	"Садко", "Сокол", "Русь", "Дельта", "Омега"
};
static const char *brand_suffixes[] = {
	"-М", "-Плюс", "-Юг", "-Север", "-Центр", "-2000", " Групп", "-Сервис",
	"-Трейд", "-Урал"
};
static const char *stems[] = {
	"Строй", "Тех", "Агро", "Транс", "Мед", "Пром", "Энерго", "Инвест",
	"Торг", "Снаб", "Маш", "Нефте", "Газ", "Металл", "Лес", "Хим",
	"Электро", "Авто", "Бизнес", "Инфо", "Телеком", "Софт", "Мебель",
	"Проект", "Монтаж", "Комплект", "Ремонт", "Сталь", "Пласт", "Фарм",
	"Эко", "Гео", "Термо", "Вент", "Кабель", "Сибирь", "Урал", "Волга"
};
static const char *stem_ends[] = {
	"Сервис", "Групп", "Плюс", "Центр", "Холдинг", "Эксперт", "Альянс",
	"Профи", "Систем", "Лайн", "Маркет", "Трейд", "Консалт", "Снаб",
	"Торг", "Монтаж", "Ресурс", "Логистик", "Инвест", "Строй"
};
/* Descriptive names: feminine adjectives agreeing with the noun. */
static const char *desc_places[] = {
	"Уральская", "Сибирская", "Волжская", "Московская", "Невская",
	"Северная", "Южная", "Центральная", "Первая", "Новая", "Балтийская",
	"Дальневосточная", "Кубанская", "Приокская", "Донская"
};
static const char *desc_kinds[] = {
	"торговая", "строительная", "транспортная", "производственная",
	"инвестиционная", "лизинговая", "сервисная", "консалтинговая",
	"инженерная", "топливная", "агропромышленная", "упаковочная",
	"юридическая", "медицинская", "мебельная"
};
static const char *desc_nouns[] = { "компания", "группа", "фабрика" };

/* Banks: the correspondent account is computed from the БИК. */
static const struct bank {
	const char	*bik, *name;
	int		 weight;
} banks[] = {
	{ "044525225", "ПАО Сбербанк", 30 },
	{ "044525187", "Банк ВТБ (ПАО)", 12 },
	{ "044525593", "АО \"Альфа-Банк\"", 12 },
	{ "044525974", "АО \"ТБанк\"", 12 },
	{ "044525823", "Банк ГПБ (АО)", 6 },
	{ "044525700", "АО \"Райффайзенбанк\"", 5 },
	{ "044030653", "Северо-Западный банк ПАО Сбербанк", 6 },
	{ "045004641", "Сибирский банк ПАО Сбербанк", 4 },
	{ "046577674", "Уральский банк ПАО Сбербанк", 4 },
	{ "044525411", "Филиал \"Центральный\" Банка ВТБ (ПАО)", 4 },
	{ "044525104", "ООО \"Банк Точка\"", 5 }
};

static const char *mail_domains[] = {
	"mail.ru", "yandex.ru", "gmail.com", "bk.ru", "list.ru", "inbox.ru",
	"rambler.ru", "ya.ru"
};
static const char *org_mailboxes[] = {
	"info", "sales", "office", "zakaz", "buh", "secretary", "mail", "opt"
};
static const char *managers[] = {
	"ivanova", "petrov", "smirnova", "kuznetsov", "sokolova", "popov",
	"lebedeva", "kozlov", "novikova", "morozov", "volkova", "egorov"
};
static const char *sources[] = {
	"Сайт", "Рекомендация", "Холодный звонок", "Выставка", "Яндекс Директ",
	"Авито", "Повторное обращение", "Соцсети", "E-mail рассылка",
	"Партнёр", "Тендер"
};
static const int source_weights[] = { 30, 18, 12, 6, 12, 6, 8, 5, 3, 4, 2 };
static const char *tags[] = {
	"VIP", "опт", "розница", "постоянный", "новый", "дилер",
	"госзаказчик", "должник", "партнёр", "сезонный", "без НДС",
	"предоплата", "отсрочка"
};
static const char *notes[] = {
	"Просит звонить после 14:00.",
	"Скидка 5 % по договору.",
	"Работает только по предоплате.",
	"Документы отправлять через ЭДО.",
	"Требует оригиналы документов почтой.",
	"Контакт через бухгалтерию.",
	"Закупается перед сезоном, напомнить в марте.",
	"Был конфликт по срокам поставки, общаться вежливо.",
	"Интересуется новыми позициями каталога.",
	"Оплата с отсрочкой 14 дней."
};

/* xoshiro256** (Blackman and Vigna), seeded through splitmix64. */
static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t	z;

	z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31));
}

static uint64_t
rotl(uint64_t x, int k)
{
	return ((x << k) | (x >> (64 - k)));
}

void
gen_init(struct gen *g, uint64_t seed)
{
	uint64_t	x = seed;
	size_t		i;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < 4; i++)
		g->s[i] = splitmix64(&x);
	g->salt = splitmix64(&x);
	g->table = NULL;
}

uint64_t
gen_next(struct gen *g)
{
	uint64_t	*s = g->s, r, t;

	r = rotl(s[1] * 5, 7) * 9;
	t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return (r);
}

uint64_t
gen_below(struct gen *g, uint64_t n)
{
	/* The modulo bias is below 2^-40 for the small n used here. */
	return (gen_next(g) % n);
}

static int
chance(struct gen *g, int percent)
{
	return ((int)gen_below(g, 100) < percent);
}

#define PICK(g, a) ((a)[gen_below((g), nitems(a))])

static size_t
pick_weighted(struct gen *g, const int *w, size_t n)
{
	size_t	i;
	int	total = 0, r;

	for (i = 0; i < n; i++)
		total += w[i];
	r = (int)gen_below(g, (uint64_t)total);
	for (i = 0; i < n - 1; i++) {
		if (r < w[i])
			break;
		r -= w[i];
	}
	return (i);
}

static const struct city *
pick_city(struct gen *g)
{
	int	w[nitems(cities)];
	size_t	i;

	for (i = 0; i < nitems(cities); i++)
		w[i] = cities[i].weight;
	return (&cities[pick_weighted(g, w, nitems(cities))]);
}

static const struct bank *
pick_bank(struct gen *g)
{
	int	w[nitems(banks)];
	size_t	i;

	for (i = 0; i < nitems(banks); i++)
		w[i] = banks[i].weight;
	return (&banks[pick_weighted(g, w, nitems(banks))]);
}

/* n random decimal digits appended. */
static void
add_digits(struct gen *g, struct buf *b, int n)
{
	while (n-- > 0)
		buf_addch(b, '0' + (int)gen_below(g, 10));
}

/*
 * A bijection of [0, 10^digits): multiplying by a number prime to 10
 * permutes the residues, so sequence numbers give distinct, scattered
 * serials (unique requisites without a set of those already used).
 */
static void
add_serial(struct buf *b, uint64_t seq, uint64_t mul, uint64_t salt,
    int digits)
{
	uint64_t	mod = 1, v;
	int		i;
	char		s[24];

	for (i = 0; i < digits; i++)
		mod *= 10;
	v = ((seq % mod) * (mul % mod) + salt % mod) % mod;
	snprintf(s, sizeof(s), "%0*llu", digits, (unsigned long long)v);
	buf_adds(b, s);
}

static int
weighted_sum(const char *d, const int *w, int n)
{
	int	i, s = 0;

	for (i = 0; i < n; i++)
		s += (d[i] - '0') * w[i];
	return (s);
}

/* ИНН checksums (RU-BUSINESS.md): append the control digits. */
static void
inn_finish(struct buf *b)
{
	static const int w10[] = { 2, 4, 10, 3, 5, 9, 4, 6, 8 };
	static const int w11[] = { 7, 2, 4, 10, 3, 5, 9, 4, 6, 8 };
	static const int w12[] = { 3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8 };

	if (b->len == 9)
		buf_addch(b, '0' + weighted_sum(b->data, w10, 9) % 11 % 10);
	else {
		buf_addch(b, '0' + weighted_sum(b->data, w11, 10) % 11 % 10);
		buf_addch(b, '0' + weighted_sum(b->data, w12, 11) % 11 % 10);
	}
}

/* ОГРН: 12 digits mod 11; ОГРНИП: 14 digits mod 13; last digit. */
static void
ogrn_finish(struct buf *b)
{
	uint64_t	v = 0;
	size_t		i;

	for (i = 0; i < b->len; i++)
		v = v * 10 + (uint64_t)(b->data[i] - '0');
	buf_addch(b, '0' + (int)(v % (b->len == 12 ? 11 : 13) % 10));
}

/*
 * Account key: the 3-digit prefix and the 20 digits, weights 7 1 3,
 * must sum to 0 mod 10; the key is the account's 9th digit, whose
 * weight (3) is prime to 10, so exactly one digit fits.
 */
static void
account_finish(char *acc, const char *prefix)
{
	static const int w[] = { 7, 1, 3 };
	char	all[24];
	int	k, i, s;

	for (k = 0; k < 10; k++) {
		acc[8] = '0' + k;
		memcpy(all, prefix, 3);
		memcpy(all + 3, acc, 20);
		for (s = 0, i = 0; i < 23; i++)
			s += (all[i] - '0') * w[i % 3];
		if (s % 10 == 0)
			return;
	}
	BUG("no account key for %.20s", acc);
}

/* Cyrillic and Latin to lower-case Latin for e-mails and domains. */
static const char *translit_lower[32] = {
	"a", "b", "v", "g", "d", "e", "zh", "z", "i", "y", "k", "l", "m", "n",
	"o", "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "sch", "",
	"y", "", "e", "yu", "ya"
};

static void
translit(struct buf *b, const char *s, int blank)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned	cp;

	while (*p != '\0') {
		if (*p < 0x80) {
			if (*p >= 'A' && *p <= 'Z')
				buf_addch(b, *p - 'A' + 'a');
			else if ((*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9') || *p == '-')
				buf_addch(b, *p);
			else if (*p == ' ' && blank != 0)
				buf_addch(b, blank);
			p++;
			continue;
		}
		if ((p[0] & 0xe0) == 0xc0 && (p[1] & 0xc0) == 0x80) {
			cp = ((p[0] & 0x1fu) << 6) | (p[1] & 0x3fu);
			p += 2;
			if (cp == 0x401 || cp == 0x451)		/* Ё ё */
				buf_addch(b, 'e');
			else if (cp >= 0x410 && cp <= 0x42f)
				buf_adds(b, translit_lower[cp - 0x410]);
			else if (cp >= 0x430 && cp <= 0x44f)
				buf_adds(b, translit_lower[cp - 0x430]);
			continue;
		}
		p++;	/* nothing else occurs in the lists */
	}
}

/* The female form of a male surname; indeclinable ones stay. */
static void
feminine(struct buf *b, const char *m)
{
	static const char *plus_a[] = { "ов", "ев", "ёв", "ин", "ын" };
	size_t	len = strlen(m), i;

#define ENDS(s) (len > strlen(s) && strcmp(m + len - strlen(s), (s)) == 0)
	buf_adds(b, m);
	for (i = 0; i < nitems(plus_a); i++)
		if (ENDS(plus_a[i])) {
			buf_adds(b, "а");
			return;
		}
	/* -ский, -цкий, -ой, -ый all become -ая. */
	if (ENDS("кий") || ENDS("ой") || ENDS("ый")) {
		buf_truncate(b, b->len - strlen("ий"));
		buf_adds(b, "ая");
	}
#undef ENDS
}

/* The first character of a UTF-8 word, for initials. */
static void
add_initial(struct buf *b, const char *w)
{
	size_t	n = 1;

	if (((unsigned char)w[0] & 0xe0) == 0xc0)
		n = 2;
	buf_add(b, w, n);
	buf_adds(b, ".");
}

static void
add_local_digits(struct gen *g, struct buf *b, int n)
{
	/* 1234567 -> 123-45-67, 123456 -> 12-34-56, 12345 -> 1-23-45 */
	char	d[8];
	int	i;

	for (i = 0; i < n; i++)
		d[i] = '0' + (int)gen_below(g, 10);
	buf_add(b, d, n - 4);
	buf_addch(b, '-');
	buf_add(b, d + n - 4, 2);
	buf_addch(b, '-');
	buf_add(b, d + n - 2, 2);
}

/* A phone as people type it, in one of the usual shapes. */
static void
add_phone(struct gen *g, struct buf *b, const char *code)
{
	int	local = 10 - (int)strlen(code);

	if (b->len > 0)
		buf_adds(b, ", ");
	switch (gen_below(g, 4)) {
	case 0:
		buf_printf(b, "+7 (%s) ", code);
		add_local_digits(g, b, local);
		break;
	case 1:
		buf_printf(b, "8 (%s) ", code);
		add_local_digits(g, b, local);
		break;
	case 2:
		buf_printf(b, "8%s", code);
		add_digits(g, b, local);
		break;
	default:
		buf_printf(b, "+7%s", code);
		add_digits(g, b, local);
		break;
	}
}

static void
add_mobile(struct gen *g, struct buf *b)
{
	char	code[4];

	snprintf(code, sizeof(code), "9%02d", (int)gen_below(g, 100));
	add_phone(g, b, code);
}

static void
add_address(struct gen *g, struct buf *b, const struct city *c, int org)
{
	buf_printf(b, "%06d, ", c->index + (int)gen_below(g,
	    (uint64_t)c->span));
	if (c->region != NULL)
		buf_printf(b, "%s, ", c->region);
	buf_printf(b, "г. %s, %s, д. %d", c->name, PICK(g, streets),
	    1 + (int)gen_below(g, 150));
	if (chance(g, 15))
		buf_printf(b, ", корп. %d", 1 + (int)gen_below(g, 5));
	else if (org && chance(g, 15))
		buf_printf(b, ", стр. %d", 1 + (int)gen_below(g, 9));
	if (org) {
		if (chance(g, 60))
			buf_printf(b, ", оф. %d", 1 + (int)gen_below(g, 600));
	} else if (chance(g, 90))
		buf_printf(b, ", кв. %d", 1 + (int)gen_below(g, 300));
}

static void
set_field(struct gen *g, struct record *rec, int f, const char *text)
{
	struct buf	err = BUF_INIT;

	if (g->pos[f] < 0 || *text == '\0')
		return;
	if (record_parse(rec, (size_t)g->pos[f], text, &err) == -1)
		fatal("gen: party %llu: \"%s\": %s",
		    (unsigned long long)g->seq, text, err.data);
	buf_release(&err);
}

/* A bank and an account with a correct key for the client kind. */
static void
add_bank(struct gen *g, struct record *rec, const char *acc_prefix)
{
	const struct bank *bk = pick_bank(g);
	char		 acc[21], corr[21], pre[4];
	struct buf	 b = BUF_INIT;

	memcpy(acc, acc_prefix, 8);
	add_digits(g, &b, 11);
	memcpy(acc + 9, b.data, 11);
	acc[20] = '\0';
	memcpy(pre, bk->bik + 6, 3);
	pre[3] = '\0';
	account_finish(acc, pre);

	memcpy(corr, "30101810", 8);
	memcpy(corr + 9, "00000000", 8);
	memcpy(corr + 17, bk->bik + 6, 3);
	corr[20] = '\0';
	pre[0] = '0';
	memcpy(pre + 1, bk->bik + 4, 2);
	account_finish(corr, pre);

	set_field(g, rec, GF_BIK, bk->bik);
	set_field(g, rec, GF_BANK, bk->name);
	set_field(g, rec, GF_ACCOUNT, acc);
	set_field(g, rec, GF_CORR, corr);
	buf_release(&b);
}

static void
add_person_mail(struct gen *g, struct buf *b, const char *first,
    const char *surname)
{
	size_t	start;

	if (b->len > 0)
		buf_adds(b, ", ");
	switch (gen_below(g, 4)) {
	case 0:
		translit(b, first, 0);
		buf_addch(b, '.');
		translit(b, surname, 0);
		break;
	case 1:
		translit(b, surname, 0);
		buf_printf(b, "%02d", (int)gen_below(g, 100));
		break;
	case 2:
		start = b->len;		/* p.ivanov */
		translit(b, first, 0);
		buf_truncate(b, start + 1);
		buf_addch(b, '.');
		translit(b, surname, 0);
		break;
	default:
		translit(b, surname, 0);
		buf_addch(b, '.');
		translit(b, first, 0);
		buf_printf(b, "%d", 1960 + (int)gen_below(g, 46));
		break;
	}
	buf_printf(b, "@%s", PICK(g, mail_domains));
}

static void
person(struct gen *g, struct record *rec, int sole, const struct city *c,
    struct buf *inn)
{
	const struct male_name *father = &PICK(g, male_names);
	struct buf	 surname = BUF_INIT, name = BUF_INIT, b = BUF_INIT;
	const char	*first, *patr;
	int		 female = chance(g, 50), y, m, d, n;
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (female) {
		feminine(&surname, PICK(g, surnames));
		first = PICK(g, female_names);
		patr = father->patr_f;
	} else {
		buf_adds(&surname, PICK(g, surnames));
		first = PICK(g, male_names).name;
		patr = father->patr_m;
	}
	buf_printf(&name, "%s%s %s %s", sole ? "ИП " : "", surname.data,
	    first, patr);
	set_field(g, rec, GF_NAME, name.data);
	if (sole) {
		buf_reset(&b);
		buf_printf(&b, "ИП %s ", surname.data);
		add_initial(&b, first);
		buf_addch(&b, ' ');
		add_initial(&b, patr);
		set_field(g, rec, GF_SHORT, b.data);
	}

	/* ИНН: region, then a serial unique per sequence number. */
	if (sole || chance(g, 70)) {
		buf_adds(inn, c->taxcode);
		add_serial(inn, g->seq, 48271, g->salt, 8);
		inn_finish(inn);
		set_field(g, rec, GF_INN, inn->data);
	}
	if (sole) {
		buf_reset(&b);
		buf_printf(&b, "3%02d%s", 4 + (int)gen_below(g, 21),
		    c->taxcode);
		add_serial(&b, g->seq, 7368787, g->salt >> 20, 9);
		ogrn_finish(&b);
		set_field(g, rec, GF_OGRN, b.data);
	}
	if (sole ? chance(g, 85) : chance(g, 15))
		add_bank(g, rec, sole ? "40802810" : "40817810");

	buf_reset(&b);
	add_address(g, &b, c, 0);
	if (sole)
		set_field(g, rec, GF_LEGAL, b.data);
	if (sole ? chance(g, 30) : chance(g, 50))
		set_field(g, rec, GF_POSTAL, b.data);

	buf_reset(&b);
	n = chance(g, 10) ? 0 : chance(g, 83) ? 1 : 2;
	while (n-- > 0)
		add_mobile(g, &b);
	if (sole && chance(g, 20))
		add_phone(g, &b, c->phonecode);
	set_field(g, rec, GF_PHONES, b.data);

	buf_reset(&b);
	n = chance(g, 25) ? 0 : chance(g, 80) ? 1 : 2;
	while (n-- > 0)
		add_person_mail(g, &b, first, surname.data);
	set_field(g, rec, GF_EMAILS, b.data);

	if (chance(g, 80)) {
		y = 1950 + (int)gen_below(g, 57);
		m = 1 + (int)gen_below(g, 12);
		d = mdays[m - 1] + (m == 2 && y % 4 == 0 && (y % 100 != 0 ||
		    y % 400 == 0));
		d = 1 + (int)gen_below(g, (uint64_t)d);
		buf_reset(&b);
		buf_printf(&b, "%04d-%02d-%02d", y, m, d);
		set_field(g, rec, GF_BIRTHDAY, b.data);
	}
	buf_release(&surname);
	buf_release(&name);
	buf_release(&b);
}

static void
brand(struct gen *g, struct buf *b)
{
	int	n, i;

	switch (pick_weighted(g, (const int[]){ 40, 35, 15, 10 }, 4)) {
	case 0:
		buf_adds(b, PICK(g, brand_words));
		if (chance(g, 25))
			buf_adds(b, PICK(g, brand_suffixes));
		break;
	case 1:
		n = chance(g, 70) ? 1 : 2;
		for (i = 0; i < n; i++)
			buf_adds(b, PICK(g, stems));
		buf_adds(b, PICK(g, stem_ends));
		break;
	case 2:
		buf_printf(b, "%s %s %s", PICK(g, desc_places),
		    PICK(g, desc_kinds), PICK(g, desc_nouns));
		break;
	default:
		buf_printf(b, "ТД %s", PICK(g, brand_words));
		break;
	}
}

static void
org(struct gen *g, struct record *rec, const struct city *c,
    struct buf *inn)
{
	struct buf	 br = BUF_INIT, b = BUF_INIT, dom = BUF_INIT;
	const char	*form, *w;
	int		 n;

	form = legal_forms[pick_weighted(g, legal_form_weights,
	    nitems(legal_form_weights))];
	brand(g, &br);
	buf_printf(&b, "%s \"%s\"", form, br.data);
	set_field(g, rec, GF_NAME, b.data);
	set_field(g, rec, GF_SHORT, br.data);

	buf_adds(inn, c->taxcode);
	add_serial(inn, g->seq, 3947773, g->salt, 7);
	inn_finish(inn);
	set_field(g, rec, GF_INN, inn->data);
	buf_reset(&b);
	buf_add(&b, inn->data, 4);
	buf_adds(&b, chance(g, 95) ? "01001" : "50001");
	set_field(g, rec, GF_KPP, b.data);

	buf_reset(&b);
	buf_printf(&b, "%c%02d%s", chance(g, 95) ? '1' : '5',
	    2 + (int)gen_below(g, 23), c->taxcode);
	add_serial(&b, g->seq, 2750159, g->salt >> 24, 7);
	ogrn_finish(&b);
	set_field(g, rec, GF_OGRN, b.data);

	if (chance(g, 90))
		add_bank(g, rec, "40702810");

	buf_reset(&b);
	add_address(g, &b, c, 1);
	set_field(g, rec, GF_LEGAL, b.data);
	n = (int)gen_below(g, 10);
	if (n < 5)
		set_field(g, rec, GF_POSTAL, b.data);
	else if (n < 7) {
		buf_reset(&b);
		add_address(g, &b, c, 1);
		set_field(g, rec, GF_POSTAL, b.data);
	}

	buf_reset(&b);
	add_phone(g, &b, c->phonecode);
	if (chance(g, 40))
		add_mobile(g, &b);
	if (chance(g, 10))
		add_phone(g, &b, c->phonecode);
	set_field(g, rec, GF_PHONES, b.data);

	/* Domain: the brand, or the initials of a descriptive name. */
	if (strchr(br.data, ' ') != NULL && strncmp(br.data, "ТД ", 5) != 0) {
		for (w = br.data; w != NULL; w = strchr(w, ' ')) {
			while (*w == ' ')
				w++;
			buf_reset(&b);
			buf_add(&b, w, ((unsigned char)*w & 0xe0) == 0xc0 ?
			    2 : 1);
			translit(&dom, b.data, 0);
		}
	} else
		translit(&dom, br.data, '-');
	buf_reset(&b);
	n = chance(g, 10) ? 0 : chance(g, 78) ? 1 : 2;
	while (n-- > 0) {
		if (b.len > 0)
			buf_adds(&b, ", ");
		buf_printf(&b, "%s@%s.%s", PICK(g, org_mailboxes), dom.data,
		    chance(g, 90) ? "ru" : "com");
	}
	set_field(g, rec, GF_EMAILS, b.data);
	buf_release(&br);
	buf_release(&b);
	buf_release(&dom);
}

void
gen_party(struct gen *g, struct record *rec)
{
	static const char *kinds[] = { "person", "sole", "org" };
	static const char *statuses[] = { "lead", "active", "inactive" };
	const struct city *c;
	struct buf	 inn = BUF_INIT, b = BUF_INIT;
	size_t		 i, kind, n, t[3];
	ssize_t		 p;

	if (g->table != rec->table) {
		g->table = rec->table;
		for (i = 0; i < GF_COUNT; i++) {
			p = table_field_pos(rec->table, gen_fields[i]);
			g->pos[i] = p;
		}
	}
	kind = pick_weighted(g, (const int[]){ 35, 20, 45 }, 3);
	g->kind = (int)kind;
	c = pick_city(g);
	set_field(g, rec, GF_KIND, kinds[kind]);
	if (kind == 2)
		org(g, rec, c, &inn);
	else
		person(g, rec, kind == 1, c, &inn);
	set_field(g, rec, GF_CITY, c->name);
	if (chance(g, 90))
		set_field(g, rec, GF_MANAGER, PICK(g, managers));
	set_field(g, rec, GF_SOURCE, sources[pick_weighted(g, source_weights,
	    nitems(source_weights))]);
	set_field(g, rec, GF_STATUS, statuses[pick_weighted(g,
	    (const int[]){ 30, 55, 15 }, 3)]);

	/* Up to three distinct tags. */
	n = pick_weighted(g, (const int[]){ 45, 35, 15, 5 }, 4);
	for (i = 0; i < n; i++) {
		t[i] = gen_below(g, nitems(tags));
		if ((i > 0 && t[i] == t[0]) || (i > 1 && t[i] == t[1]))
			continue;
		if (b.len > 0)
			buf_adds(&b, ", ");
		buf_adds(&b, tags[t[i]]);
	}
	set_field(g, rec, GF_TAGS, b.data);
	if (chance(g, 15))
		set_field(g, rec, GF_NOTES, PICK(g, notes));
	g->seq++;
	buf_release(&inn);
	buf_release(&b);
}

static const char *positions[] = {
	"Генеральный директор", "Директор", "Главный бухгалтер", "Бухгалтер",
	"Менеджер по закупкам", "Менеджер по продажам", "Коммерческий директор",
	"Офис-менеджер", "Юрист", "Руководитель отдела снабжения",
	"Заместитель директора", "Инженер", "Логист", "Секретарь"
};

/* The field looked up by name on each call: a contact has few fields, so
 * the party table's cache in struct gen is left alone. */
static void
contact_set(struct record *rec, const char *name, const char *text)
{
	struct buf	err = BUF_INIT;
	ssize_t		pos;

	if ((pos = table_field_pos(rec->table, name)) < 0 || *text == '\0')
		return;
	if (record_parse(rec, (size_t)pos, text, &err) == -1)
		fatal("gen: contact field %s: \"%s\": %s", name, text,
		    err.data);
	buf_release(&err);
}

void
gen_contact(struct gen *g, struct record *rec, uint64_t party)
{
	const struct male_name *father = &PICK(g, male_names);
	struct buf	 surname = BUF_INIT, b = BUF_INIT;
	const char	*first, *patr;
	int		 n;

	if (chance(g, 55)) {
		feminine(&surname, PICK(g, surnames));
		first = PICK(g, female_names);
		patr = father->patr_f;
	} else {
		buf_adds(&surname, PICK(g, surnames));
		first = PICK(g, male_names).name;
		patr = father->patr_m;
	}
	buf_printf(&b, "%llu", (unsigned long long)party);
	contact_set(rec, "party", b.data);
	buf_reset(&b);
	buf_printf(&b, "%s %s %s", surname.data, first, patr);
	contact_set(rec, "name", b.data);
	if (chance(g, 85))
		contact_set(rec, "position", PICK(g, positions));
	buf_reset(&b);
	n = chance(g, 10) ? 0 : chance(g, 85) ? 1 : 2;
	while (n-- > 0)
		add_mobile(g, &b);
	contact_set(rec, "phones", b.data);
	buf_reset(&b);
	if (chance(g, 75))
		add_person_mail(g, &b, first, surname.data);
	contact_set(rec, "emails", b.data);
	buf_release(&surname);
	buf_release(&b);
}
