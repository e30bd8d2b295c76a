/* country.c: ISO 3166-1 lookups by code, by English or Norwegian name and by FIPS 10-4/GEC code.
 * Owns the hand-written tables (publishers' spellings, FIPS codes); the country table itself is
 * generated from iso-codes by scripts/gen-countries.py. Pure: no I/O, no mutable state. It does
 * not split multi-country items ("Israel, the West Bank and Gaza"): that is the extractor's call.
 *
 * Names are compared by key (country_normalize_name), first exactly, then with the spaces
 * removed so that "costarica" or "Guinea Bissau" still match. */
#include "country.h"

#include <assert.h>
#include <ctype.h>
#include <limits.h>
#include <pthread.h>

#include "util.h"

/* Generated: build/country-table.c. */
extern const Country country_table[];
extern const size_t country_table_size;

#define KEY_MAX 256
#define SUGGEST_MAX 16

typedef enum Language {
        LANGUAGE_EN,
        LANGUAGE_NB,
} Language;

typedef bool (*KeyEqual)(const char *a, const char *b);

/* English spellings of publishers (US State Dept, UK FCDO, Canada, Australia's Smartraveller,
 * the German foreign office in English, the CIA's "Name, The" style) that the iso-codes names,
 * common names and official names do not cover. Keys are compared normalised, so "Cote d'Ivoire",
 * "St. Lucia" or "The Bahamas" need no entries of their own. */
static const char *const aliases_en[][2] = {
        { "UAE", "AE" },
        { "Antigua", "AG" },
        { "Aland", "AX" },
        { "Bosnia", "BA" },
        { "Bosnia-Herzegovina", "BA" },
        { "St Barthelemy", "BL" },
        { "St Barts", "BL" },
        { "St Barths", "BL" },
        { "Brunei", "BN" },
        { "Bolivia, Plurinational State of", "BO" },
        { "Bonaire", "BQ" },
        { "Sint Eustatius", "BQ" },
        { "Saba", "BQ" },
        { "Caribbean Netherlands", "BQ" },
        { "Bonaire/St Eustatius/Saba", "BQ" },
        { "Bahamas, The", "BS" },
        { "Cocos Islands", "CC" },
        { "Keeling Islands", "CC" },
        { "Democratic Republic of the Congo", "CD" },
        { "Democratic Republic of Congo", "CD" },
        { "Congo, Democratic Republic of the", "CD" },
        { "Congo, Democratic Republic", "CD" },
        { "Congo (Democratic Republic)", "CD" },
        { "Congo (Kinshasa)", "CD" },
        { "Congo-Kinshasa", "CD" },
        { "Democratic Republic of Congo (Kinshasa)", "CD" },
        { "Congo (DRC)", "CD" },
        { "DR Congo", "CD" },
        { "DRC", "CD" },
        { "Republic of Congo", "CG" },
        { "Congo, Republic of the", "CG" },
        { "Congo, Republic", "CG" },
        { "Congo (Republic)", "CG" },
        { "Congo (Brazzaville)", "CG" },
        { "Congo-Brazzaville", "CG" },
        { "Republic of Congo (Brazzaville)", "CG" },
        { "Ivory Coast", "CI" },
        { "Mainland China", "CN" },
        { "China (Mainland)", "CN" },
        { "Comoro Islands", "KM" },
        { "Cape Verde", "CV" },
        { "Falkland Islands", "FK" },
        { "Falklands", "FK" },
        { "Falkland Islands (Islas Malvinas)", "FK" },
        { "Micronesia", "FM" },
        { "Micronesia (Federated States of)", "FM" },
        { "FSM", "FM" },
        { "Faroes", "FO" },
        { "Faeroe Islands", "FO" },
        { "UK", "GB" },
        { "Great Britain", "GB" },
        { "Britain", "GB" },
        { "Republic of Georgia", "GE" },
        { "Gambia, The", "GM" },
        { "South Georgia", "GS" },
        { "South Georgia and South Sandwich Islands", "GS" },
        { "Hongkong", "HK" },
        { "Hong Kong SAR", "HK" },
        { "Republic of Ireland", "IE" },
        { "Iran, Islamic Republic of", "IR" },
        { "St Kitts and Nevis", "KN" },
        { "Saint Kitts", "KN" },
        { "St Kitts", "KN" },
        { "North Korea", "KP" },
        { "Korea, North", "KP" },
        { "Korea (North)", "KP" },
        { "Korea, Democratic People's Republic of", "KP" },
        { "DPRK", "KP" },
        { "Korea, South", "KR" },
        { "Korea (South)", "KR" },
        { "Republic of Korea", "KR" },
        { "Korea, Republic of", "KR" },
        { "Lao People's Democratic Republic", "LA" },
        { "Lao PDR", "LA" },
        { "St Lucia", "LC" },
        { "Moldova, Republic of", "MD" },
        { "Saint Martin", "MF" },
        { "St Martin", "MF" },
        { "Macedonia", "MK" },
        { "Former Yugoslav Republic of Macedonia", "MK" },
        { "Macedonia, The Former Yugoslav Republic of", "MK" },
        { "FYROM", "MK" },
        { "Burma", "MM" },
        { "Macau", "MO" },
        { "Macau SAR", "MO" },
        { "Macao SAR", "MO" },
        { "Northern Marianas", "MP" },
        { "Holland", "NL" },
        { "Pitcairn Islands", "PN" },
        { "Pitcairn Island", "PN" },
        { "St Pierre and Miquelon", "PM" },
        { "Saint-Pierre-et-Miquelon", "PM" },
        { "Palestine", "PS" },
        { "State of Palestine", "PS" },
        { "Palestinian Territories", "PS" },
        { "Palestinian Territory", "PS" },
        { "Occupied Palestinian Territories", "PS" },
        { "Occupied Palestinian Territory", "PS" },
        { "Palestinian Authority", "PS" },
        { "West Bank and Gaza", "PS" },
        { "West Bank", "PS" },
        { "Gaza", "PS" },
        { "Gaza Strip", "PS" },
        { "Russia", "RU" },
        { "Solomon Island", "SB" }, /* sic, travel.state.gov list, 2025 */
        { "Saint Helena", "SH" },
        { "St Helena", "SH" },
        { "St Helena, Ascension and Tristan da Cunha", "SH" },
        { "Svalbard", "SJ" },
        { "Jan Mayen", "SJ" },
        { "Sao Tome", "ST" },
        { "Sint Maarten", "SX" },
        { "St Maarten", "SX" },
        { "Saint Maarten", "SX" },
        { "Syrian Arab Republic", "SY" },
        { "Swaziland", "SZ" },
        { "Turks and Caicos", "TC" },
        { "East Timor", "TL" },
        { "Turkey", "TR" },
        { "Republic of Turkey", "TR" },
        { "Trinidad", "TT" },
        { "Tanzania, United Republic of", "TZ" },
        { "US Minor Outlying Islands", "UM" },
        { "USA", "US" },
        { "US", "US" },
        { "United States of America", "US" },
        { "Holy See", "VA" },
        { "Vatican", "VA" },
        { "Vatican City", "VA" },
        { "Vatican City State", "VA" },
        { "St Vincent and the Grenadines", "VC" },
        { "Saint Vincent", "VC" },
        { "St Vincent", "VC" },
        { "Venezuela, Bolivarian Republic of", "VE" },
        { "British Virgin Islands", "VG" },
        { "Virgin Islands (British)", "VG" },
        { "BVI", "VG" },
        { "US Virgin Islands", "VI" },
        { "United States Virgin Islands", "VI" },
        { "Virgin Islands (US)", "VI" },
        { "Viet Nam", "VN" },
        { "Wallis and Futuna Islands", "WF" },
        { "Republic of Kosovo", "XK" },
};

/* Norwegian bokmål spellings of the Norwegian MFA (regjeringen.no "reiseinformasjon", page titles
 * and URL slugs) that differ from the iso-codes nb names. English names are tried after these,
 * so "Mexico", "Canada" or "USA" need no entries. */
static const char *const aliases_nb[][2] = {
        { "Antigua-Barbuda", "AG" }, /* page slug antigua_barbuda */
        { "Forente arabiske emirater", "AE" },
        { "De forente arabiske emiratene", "AE" },
        { "Emiratene", "AE" },
        { "Den demokratiske republikken Kongo", "CD" },
        { "Den demokratiske republikk Kongo", "CD" },
        { "Demokratiske republikken Kongo", "CD" },
        { "DR Kongo", "CD" },
        { "Kongo-Kinshasa", "CD" },
        { "Republikken Kongo", "CG" },
        { "Kongo-Brazzaville", "CG" },
        { "Sentralafrikanske republikk", "CF" },
        { "Den sentralafrikanske republikken", "CF" },
        { "Den tsjekkiske republikk", "CZ" },
        { "Dominikanske republikk", "DO" },
        { "Den dominikanske republikken", "DO" },
        { "Mikronesia", "FM" },
        { "Mikronesiaføderasjonen", "FM" },
        { "Makedonia", "MK" },
        { "Mauretania", "MR" },
        { "Naoero", "NR" }, /* Nauru in Nauruan: UD's page "Naoero - reiseinformasjon" */
        { "Palestina", "PS" },
        { "Staten Palestina", "PS" },
        { "De palestinske områdene", "PS" },
        { "De palestinske områder", "PS" },
        { "Det palestinske området", "PS" },
        { "Palestinske områder", "PS" },
        { "Vestbredden og Gaza", "PS" },
        { "Vestbredden", "PS" },
        { "Russland", "RU" },
        { "Swasiland", "SZ" },
        { "Tyrkia", "TR" },
        { "Amerikas forente stater", "US" },
        { "Den hellige stol", "VA" },
        { "Vatikanet", "VA" },
        { "Britiske Jomfruøyer", "VG" },
        { "De britiske Jomfruøyer", "VG" },
        { "Amerikanske Jomfruøyer", "VI" },
        { "De amerikanske Jomfruøyer", "VI" },
};

/* FIPS 10-4 / GEC (the US government's Geopolitical Entities and Codes, used in the
 * "Country-Tag" of travel.state.gov) → ISO 3166-1 alpha-2. Sorted by GEC code. Many-to-one
 * where GEC splits what ISO lumps together (GZ and WE → PS; SV and JN → SJ; the US island
 * territories → UM; the Scattered Islands, part of the French Southern Territories since 2007,
 * → TF). Left out, for want of an ISO equivalent: AT Ashmore and Cartier Islands, AX Akrotiri,
 * CR Coral Sea Islands, DX Dhekelia, IP Clipperton Island, PF Paracel Islands, PG Spratly
 * Islands, and retired codes of entities that no longer exist (NT, YI). Note the traps: GEC AU
 * is Austria, AS Australia, GM Germany, GG Georgia, SZ Switzerland, SW Sweden, CH China,
 * CI Chile, NI Nigeria, NG Niger, BQ Navassa Island (not ISO BQ). */
static const char *const fips_table[][2] = {
        { "AA", "AW" }, /* Aruba */
        { "AC", "AG" }, /* Antigua and Barbuda */
        { "AE", "AE" }, /* United Arab Emirates */
        { "AF", "AF" }, /* Afghanistan */
        { "AG", "DZ" }, /* Algeria */
        { "AJ", "AZ" }, /* Azerbaijan */
        { "AL", "AL" }, /* Albania */
        { "AM", "AM" }, /* Armenia */
        { "AN", "AD" }, /* Andorra */
        { "AO", "AO" }, /* Angola */
        { "AQ", "AS" }, /* American Samoa */
        { "AR", "AR" }, /* Argentina */
        { "AS", "AU" }, /* Australia */
        { "AU", "AT" }, /* Austria */
        { "AV", "AI" }, /* Anguilla */
        { "AY", "AQ" }, /* Antarctica */
        { "BA", "BH" }, /* Bahrain */
        { "BB", "BB" }, /* Barbados */
        { "BC", "BW" }, /* Botswana */
        { "BD", "BM" }, /* Bermuda */
        { "BE", "BE" }, /* Belgium */
        { "BF", "BS" }, /* Bahamas */
        { "BG", "BD" }, /* Bangladesh */
        { "BH", "BZ" }, /* Belize */
        { "BK", "BA" }, /* Bosnia and Herzegovina */
        { "BL", "BO" }, /* Bolivia */
        { "BM", "MM" }, /* Burma */
        { "BN", "BJ" }, /* Benin */
        { "BO", "BY" }, /* Belarus */
        { "BP", "SB" }, /* Solomon Islands */
        { "BQ", "UM" }, /* Navassa Island (not ISO BQ, Bonaire) */
        { "BR", "BR" }, /* Brazil */
        { "BS", "TF" }, /* Bassas da India */
        { "BT", "BT" }, /* Bhutan */
        { "BU", "BG" }, /* Bulgaria */
        { "BV", "BV" }, /* Bouvet Island */
        { "BX", "BN" }, /* Brunei */
        { "BY", "BI" }, /* Burundi */
        { "CA", "CA" }, /* Canada */
        { "CB", "KH" }, /* Cambodia */
        { "CD", "TD" }, /* Chad */
        { "CE", "LK" }, /* Sri Lanka */
        { "CF", "CG" }, /* Congo (Brazzaville) */
        { "CG", "CD" }, /* Congo (Kinshasa) */
        { "CH", "CN" }, /* China */
        { "CI", "CL" }, /* Chile */
        { "CJ", "KY" }, /* Cayman Islands */
        { "CK", "CC" }, /* Cocos (Keeling) Islands */
        { "CM", "CM" }, /* Cameroon */
        { "CN", "KM" }, /* Comoros */
        { "CO", "CO" }, /* Colombia */
        { "CQ", "MP" }, /* Northern Mariana Islands */
        { "CS", "CR" }, /* Costa Rica */
        { "CT", "CF" }, /* Central African Republic */
        { "CU", "CU" }, /* Cuba */
        { "CV", "CV" }, /* Cabo Verde */
        { "CW", "CK" }, /* Cook Islands */
        { "CY", "CY" }, /* Cyprus */
        { "DA", "DK" }, /* Denmark */
        { "DJ", "DJ" }, /* Djibouti */
        { "DO", "DM" }, /* Dominica */
        { "DQ", "UM" }, /* Jarvis Island */
        { "DR", "DO" }, /* Dominican Republic */
        { "EC", "EC" }, /* Ecuador */
        { "EG", "EG" }, /* Egypt */
        { "EI", "IE" }, /* Ireland */
        { "EK", "GQ" }, /* Equatorial Guinea */
        { "EN", "EE" }, /* Estonia */
        { "ER", "ER" }, /* Eritrea */
        { "ES", "SV" }, /* El Salvador */
        { "ET", "ET" }, /* Ethiopia */
        { "EU", "TF" }, /* Europa Island */
        { "EZ", "CZ" }, /* Czechia */
        { "FG", "GF" }, /* French Guiana */
        { "FI", "FI" }, /* Finland */
        { "FJ", "FJ" }, /* Fiji */
        { "FK", "FK" }, /* Falkland Islands */
        { "FM", "FM" }, /* Micronesia */
        { "FO", "FO" }, /* Faroe Islands */
        { "FP", "PF" }, /* French Polynesia */
        { "FQ", "UM" }, /* Baker Island */
        { "FR", "FR" }, /* France */
        { "FS", "TF" }, /* French Southern and Antarctic Lands */
        { "GA", "GM" }, /* Gambia */
        { "GB", "GA" }, /* Gabon */
        { "GG", "GE" }, /* Georgia */
        { "GH", "GH" }, /* Ghana */
        { "GI", "GI" }, /* Gibraltar */
        { "GJ", "GD" }, /* Grenada */
        { "GK", "GG" }, /* Guernsey */
        { "GL", "GL" }, /* Greenland */
        { "GM", "DE" }, /* Germany */
        { "GO", "TF" }, /* Glorioso Islands */
        { "GP", "GP" }, /* Guadeloupe */
        { "GQ", "GU" }, /* Guam */
        { "GR", "GR" }, /* Greece */
        { "GT", "GT" }, /* Guatemala */
        { "GV", "GN" }, /* Guinea */
        { "GY", "GY" }, /* Guyana */
        { "GZ", "PS" }, /* Gaza Strip */
        { "HA", "HT" }, /* Haiti */
        { "HK", "HK" }, /* Hong Kong */
        { "HM", "HM" }, /* Heard Island and McDonald Islands */
        { "HO", "HN" }, /* Honduras */
        { "HQ", "UM" }, /* Howland Island */
        { "HR", "HR" }, /* Croatia */
        { "HU", "HU" }, /* Hungary */
        { "IC", "IS" }, /* Iceland */
        { "ID", "ID" }, /* Indonesia */
        { "IM", "IM" }, /* Isle of Man */
        { "IN", "IN" }, /* India */
        { "IO", "IO" }, /* British Indian Ocean Territory */
        { "IR", "IR" }, /* Iran */
        { "IS", "IL" }, /* Israel */
        { "IT", "IT" }, /* Italy */
        { "IV", "CI" }, /* Cote d'Ivoire */
        { "IZ", "IQ" }, /* Iraq */
        { "JA", "JP" }, /* Japan */
        { "JE", "JE" }, /* Jersey */
        { "JM", "JM" }, /* Jamaica */
        { "JN", "SJ" }, /* Jan Mayen */
        { "JO", "JO" }, /* Jordan */
        { "JQ", "UM" }, /* Johnston Atoll */
        { "JU", "TF" }, /* Juan de Nova Island */
        { "KE", "KE" }, /* Kenya */
        { "KG", "KG" }, /* Kyrgyzstan */
        { "KN", "KP" }, /* North Korea */
        { "KQ", "UM" }, /* Kingman Reef */
        { "KR", "KI" }, /* Kiribati */
        { "KS", "KR" }, /* South Korea */
        { "KT", "CX" }, /* Christmas Island */
        { "KU", "KW" }, /* Kuwait */
        { "KV", "XK" }, /* Kosovo */
        { "KZ", "KZ" }, /* Kazakhstan */
        { "LA", "LA" }, /* Laos */
        { "LE", "LB" }, /* Lebanon */
        { "LG", "LV" }, /* Latvia */
        { "LH", "LT" }, /* Lithuania */
        { "LI", "LR" }, /* Liberia */
        { "LO", "SK" }, /* Slovakia */
        { "LQ", "UM" }, /* Palmyra Atoll */
        { "LS", "LI" }, /* Liechtenstein */
        { "LT", "LS" }, /* Lesotho */
        { "LU", "LU" }, /* Luxembourg */
        { "LY", "LY" }, /* Libya */
        { "MA", "MG" }, /* Madagascar */
        { "MB", "MQ" }, /* Martinique */
        { "MC", "MO" }, /* Macau */
        { "MD", "MD" }, /* Moldova */
        { "MF", "YT" }, /* Mayotte */
        { "MG", "MN" }, /* Mongolia */
        { "MH", "MS" }, /* Montserrat */
        { "MI", "MW" }, /* Malawi */
        { "MJ", "ME" }, /* Montenegro */
        { "MK", "MK" }, /* North Macedonia */
        { "ML", "ML" }, /* Mali */
        { "MN", "MC" }, /* Monaco */
        { "MO", "MA" }, /* Morocco */
        { "MP", "MU" }, /* Mauritius */
        { "MQ", "UM" }, /* Midway Islands */
        { "MR", "MR" }, /* Mauritania */
        { "MT", "MT" }, /* Malta */
        { "MU", "OM" }, /* Oman */
        { "MV", "MV" }, /* Maldives */
        { "MX", "MX" }, /* Mexico */
        { "MY", "MY" }, /* Malaysia */
        { "MZ", "MZ" }, /* Mozambique */
        { "NC", "NC" }, /* New Caledonia */
        { "NE", "NU" }, /* Niue */
        { "NF", "NF" }, /* Norfolk Island */
        { "NG", "NE" }, /* Niger */
        { "NH", "VU" }, /* Vanuatu */
        { "NI", "NG" }, /* Nigeria */
        { "NL", "NL" }, /* Netherlands */
        { "NN", "SX" }, /* Sint Maarten */
        { "NO", "NO" }, /* Norway */
        { "NP", "NP" }, /* Nepal */
        { "NR", "NR" }, /* Nauru */
        { "NS", "SR" }, /* Suriname */
        { "NU", "NI" }, /* Nicaragua */
        { "NZ", "NZ" }, /* New Zealand */
        { "OD", "SS" }, /* South Sudan */
        { "PA", "PY" }, /* Paraguay */
        { "PC", "PN" }, /* Pitcairn Islands */
        { "PE", "PE" }, /* Peru */
        { "PK", "PK" }, /* Pakistan */
        { "PL", "PL" }, /* Poland */
        { "PM", "PA" }, /* Panama */
        { "PO", "PT" }, /* Portugal */
        { "PP", "PG" }, /* Papua New Guinea */
        { "PS", "PW" }, /* Palau */
        { "PU", "GW" }, /* Guinea-Bissau */
        { "QA", "QA" }, /* Qatar */
        { "RB", "RS" }, /* Serbia, 2006 code later replaced by RI */
        { "RE", "RE" }, /* Reunion */
        { "RI", "RS" }, /* Serbia */
        { "RM", "MH" }, /* Marshall Islands */
        { "RN", "MF" }, /* Saint Martin */
        { "RO", "RO" }, /* Romania */
        { "RP", "PH" }, /* Philippines */
        { "RQ", "PR" }, /* Puerto Rico */
        { "RS", "RU" }, /* Russia */
        { "RW", "RW" }, /* Rwanda */
        { "SA", "SA" }, /* Saudi Arabia */
        { "SB", "PM" }, /* Saint Pierre and Miquelon */
        { "SC", "KN" }, /* Saint Kitts and Nevis */
        { "SE", "SC" }, /* Seychelles */
        { "SF", "ZA" }, /* South Africa */
        { "SG", "SN" }, /* Senegal */
        { "SH", "SH" }, /* Saint Helena, Ascension and Tristan da Cunha */
        { "SI", "SI" }, /* Slovenia */
        { "SL", "SL" }, /* Sierra Leone */
        { "SM", "SM" }, /* San Marino */
        { "SN", "SG" }, /* Singapore */
        { "SO", "SO" }, /* Somalia */
        { "SP", "ES" }, /* Spain */
        { "ST", "LC" }, /* Saint Lucia */
        { "SU", "SD" }, /* Sudan */
        { "SV", "SJ" }, /* Svalbard */
        { "SW", "SE" }, /* Sweden */
        { "SX", "GS" }, /* South Georgia and the South Sandwich Islands */
        { "SY", "SY" }, /* Syria */
        { "SZ", "CH" }, /* Switzerland */
        { "TB", "BL" }, /* Saint Barthelemy */
        { "TD", "TT" }, /* Trinidad and Tobago */
        { "TE", "TF" }, /* Tromelin Island */
        { "TH", "TH" }, /* Thailand */
        { "TI", "TJ" }, /* Tajikistan */
        { "TK", "TC" }, /* Turks and Caicos Islands */
        { "TL", "TK" }, /* Tokelau */
        { "TN", "TO" }, /* Tonga */
        { "TO", "TG" }, /* Togo */
        { "TP", "ST" }, /* Sao Tome and Principe */
        { "TS", "TN" }, /* Tunisia */
        { "TT", "TL" }, /* Timor-Leste */
        { "TU", "TR" }, /* Turkey */
        { "TV", "TV" }, /* Tuvalu */
        { "TW", "TW" }, /* Taiwan */
        { "TX", "TM" }, /* Turkmenistan */
        { "TZ", "TZ" }, /* Tanzania */
        { "UC", "CW" }, /* Curacao */
        { "UG", "UG" }, /* Uganda */
        { "UK", "GB" }, /* United Kingdom */
        { "UP", "UA" }, /* Ukraine */
        { "US", "US" }, /* United States */
        { "UV", "BF" }, /* Burkina Faso */
        { "UY", "UY" }, /* Uruguay */
        { "UZ", "UZ" }, /* Uzbekistan */
        { "VC", "VC" }, /* Saint Vincent and the Grenadines */
        { "VE", "VE" }, /* Venezuela */
        { "VI", "VG" }, /* British Virgin Islands */
        { "VM", "VN" }, /* Vietnam */
        { "VQ", "VI" }, /* Virgin Islands (US) */
        { "VT", "VA" }, /* Holy See */
        { "WA", "NA" }, /* Namibia */
        { "WE", "PS" }, /* West Bank */
        { "WF", "WF" }, /* Wallis and Futuna */
        { "WI", "EH" }, /* Western Sahara */
        { "WQ", "UM" }, /* Wake Island */
        { "WS", "WS" }, /* Samoa */
        { "WZ", "SZ" }, /* Eswatini */
        { "YM", "YE" }, /* Yemen */
        { "ZA", "ZM" }, /* Zambia */
        { "ZI", "ZW" }, /* Zimbabwe */
};

/* ASCII folding of Latin-1 Supplement and Latin Extended-A, from U+00C0; NULL: not a letter. */
static const char *const latin_fold[] = {
        /* U+00C0 */ "a", "a", "a", "a", "a", "a", "ae", "c",
        /* U+00C8 */ "e", "e", "e", "e", "i", "i", "i", "i",
        /* U+00D0 */ "d", "n", "o", "o", "o", "o", "o", NULL,
        /* U+00D8 */ "o", "u", "u", "u", "u", "y", "th", "ss",
        /* U+00E0 */ "a", "a", "a", "a", "a", "a", "ae", "c",
        /* U+00E8 */ "e", "e", "e", "e", "i", "i", "i", "i",
        /* U+00F0 */ "d", "n", "o", "o", "o", "o", "o", NULL,
        /* U+00F8 */ "o", "u", "u", "u", "u", "y", "th", "y",
        /* U+0100 */ "a", "a", "a", "a", "a", "a", "c", "c",
        /* U+0108 */ "c", "c", "c", "c", "c", "c", "d", "d",
        /* U+0110 */ "d", "d", "e", "e", "e", "e", "e", "e",
        /* U+0118 */ "e", "e", "e", "e", "g", "g", "g", "g",
        /* U+0120 */ "g", "g", "g", "g", "h", "h", "h", "h",
        /* U+0128 */ "i", "i", "i", "i", "i", "i", "i", "i",
        /* U+0130 */ "i", "i", "ij", "ij", "j", "j", "k", "k",
        /* U+0138 */ "k", "l", "l", "l", "l", "l", "l", "l",
        /* U+0140 */ "l", "l", "l", "n", "n", "n", "n", "n",
        /* U+0148 */ "n", "n", "n", "n", "o", "o", "o", "o",
        /* U+0150 */ "o", "o", "oe", "oe", "r", "r", "r", "r",
        /* U+0158 */ "r", "r", "s", "s", "s", "s", "s", "s",
        /* U+0160 */ "s", "s", "t", "t", "t", "t", "t", "t",
        /* U+0168 */ "u", "u", "u", "u", "u", "u", "u", "u",
        /* U+0170 */ "u", "u", "u", "u", "w", "w", "y", "y",
        /* U+0178 */ "y", "z", "z", "z", "z", "z", "z", "s",
};

static const char *fold_latin(uint32_t cp) {
        if (cp >= 0xc0 && cp < 0xc0 + ELEMENTSOF(latin_fold))
                return latin_fold[cp - 0xc0];
        switch (cp) {
        case 0x218: /* Ș, ș (Romanian comma below) */
        case 0x219:
                return "s";
        case 0x21a: /* Ț, ț */
        case 0x21b:
                return "t";
        default:
                return NULL;
        }
}

/* Apostrophes vanish ("Côte d’Ivoire" = "cote divoire"); so do full stops ("St. Lucia"). */
static bool is_dropped(uint32_t cp) {
        switch (cp) {
        case '\'':
        case '`':
        case '.':
        case 0xb4:   /* ´ */
        case 0x2bc:  /* ʼ */
        case 0x2018: /* ‘ */
        case 0x2019: /* ’ */
        case 0x2032: /* ′ */
                return true;
        default:
                return false;
        }
}

/* White space, dashes, quotes and other punctuation separate words. */
static bool is_separator(uint32_t cp) {
        return cp < 0xc0 || cp == 0xd7 || cp == 0xf7 || (cp >= 0x2000 && cp < 0x2070) ||
               cp == 0x2212 || cp == 0x3000 || cp == 0xfffd;
}

typedef struct KeyWriter {
        char *buf;
        size_t size, n; /* n bytes written; buf[n] is '\0' */
        bool space;     /* a separator is pending */
        bool full;      /* something did not fit: ignore the rest */
} KeyWriter;

static void key_put(KeyWriter *w, const char *s, size_t l) {
        bool space = w->space && w->n > 0;

        if (w->full || w->n + space + l >= w->size) {
                w->full = true;
                return;
        }
        if (space)
                w->buf[w->n++] = ' ';
        memcpy(w->buf + w->n, s, l);
        w->n += l;
        w->buf[w->n] = '\0';
        w->space = false;
}

static void key_put_codepoint(KeyWriter *w, uint32_t cp, const char *raw, size_t l) {
        const char *fold;

        if (cp < 0x80 && isalnum((int) cp)) {
                char c = (char) tolower((int) cp);
                key_put(w, &c, 1);
        } else if (cp == '&') {
                w->space = true;
                key_put(w, "and", 3);
                w->space = true;
        } else if (is_dropped(cp))
                ;
        else if ((fold = fold_latin(cp)))
                key_put(w, fold, strlen(fold));
        else if (is_separator(cp))
                w->space = true;
        else
                key_put(w, raw, l); /* other scripts: compared as they are */
}

void country_normalize_name(const char *name, char *buf, size_t size) {
        KeyWriter w = { .buf = buf, .size = size };
        size_t len = strlen(name);
        const char *rest;

        assert(buf && size > 0);
        buf[0] = '\0';
        for (size_t i = 0; i < len && !w.full;) {
                uint32_t cp;
                size_t l = utf8_decode(name + i, len - i, &cp);
                key_put_codepoint(&w, cp, name + i, l);
                i += l;
        }
        if ((rest = startswith(buf, "the ")))
                memmove(buf, rest, strlen(rest) + 1);
}

static bool key_equal(const char *a, const char *b) {
        return streq(a, b);
}

/* "costarica" = "costa rica", "guinea bissau" = "guineabissau". */
static bool key_equal_compact(const char *a, const char *b) {
        for (;; a++, b++) {
                while (*a == ' ')
                        a++;
                while (*b == ' ')
                        b++;
                if (*a != *b)
                        return false;
                if (!*a)
                        return true;
        }
}

/* The normalised keys of every name a lookup compares with (three per country, one per alias),
 * computed once: a lookup compares its key with about a thousand names, and normalising them
 * each time was most of the Norwegian extractor's time. Slots: country i's name, official name
 * and Norwegian name at 3i, 3i+1, 3i+2, then aliases_en, then aliases_nb. Should the one
 * allocation fail, keys stays NULL and every name is normalised when it is compared. */
enum { SLOT_NAME, SLOT_OFFICIAL, SLOT_NB, SLOTS_PER_COUNTRY };

static const char **keys;
static pthread_once_t keys_once = PTHREAD_ONCE_INIT;

static size_t slot_aliases_en(void) {
        return country_table_size * SLOTS_PER_COUNTRY;
}

static size_t slot_aliases_nb(void) {
        return slot_aliases_en() + ELEMENTSOF(aliases_en);
}

static const char *slot_name(size_t slot) {
        if (slot < slot_aliases_en()) {
                const Country *c = &country_table[slot / SLOTS_PER_COUNTRY];
                switch (slot % SLOTS_PER_COUNTRY) {
                case SLOT_NAME: return c->name;
                case SLOT_OFFICIAL: return c->official_name;
                default: return c->name_nb;
                }
        }
        if (slot < slot_aliases_nb())
                return aliases_en[slot - slot_aliases_en()][0];
        return aliases_nb[slot - slot_aliases_nb()][0];
}

static void keys_init(void) {
        size_t n = slot_aliases_nb() + ELEMENTSOF(aliases_nb), bytes = 0;
        char buf[KEY_MAX], *pool;
        const char **k;

        for (size_t i = 0; i < n; i++)
                if (slot_name(i)) {
                        country_normalize_name(slot_name(i), buf, sizeof(buf));
                        bytes += strlen(buf) + 1;
                }
        k = malloc(n * sizeof(*k) + bytes);
        if (!k)
                return;
        pool = (char *) (k + n);
        for (size_t i = 0; i < n; i++) {
                k[i] = NULL;
                if (slot_name(i)) {
                        country_normalize_name(slot_name(i), pool, KEY_MAX);
                        k[i] = pool;
                        pool += strlen(pool) + 1;
                }
        }
        keys = k;
}

static bool slot_matches(const char *key, size_t slot, KeyEqual equal) {
        const char *name = slot_name(slot);
        char buf[KEY_MAX];

        if (!name)
                return false;
        if (keys)
                return equal(key, keys[slot]);
        country_normalize_name(name, buf, sizeof(buf));
        return equal(key, buf);
}

static bool country_matches(size_t i, const char *key, Language language, KeyEqual equal) {
        size_t slot = i * SLOTS_PER_COUNTRY;

        if (language == LANGUAGE_NB)
                return slot_matches(key, slot + SLOT_NB, equal);
        return slot_matches(key, slot + SLOT_NAME, equal) ||
               slot_matches(key, slot + SLOT_OFFICIAL, equal);
}

static const Country *find_in_table(const char *key, Language language, KeyEqual equal) {
        for (size_t i = 0; i < country_table_size; i++)
                if (country_matches(i, key, language, equal))
                        return &country_table[i];
        return NULL;
}

static const Country *find_in_aliases(const char *key, const char *const (*aliases)[2],
                                      size_t first_slot, size_t n, KeyEqual equal) {
        for (size_t i = 0; i < n; i++)
                if (slot_matches(key, first_slot + i, equal))
                        return country_by_alpha2(aliases[i][1]);
        return NULL;
}

/* Norwegian names first, then English ones: the MFA writes "Mexico" and "USA" too. */
static const Country *find_key(const char *key, Language language, KeyEqual equal) {
        const Country *c = NULL;

        (void) pthread_once(&keys_once, keys_init);
        if (language == LANGUAGE_NB) {
                c = find_in_table(key, LANGUAGE_NB, equal);
                if (!c)
                        c = find_in_aliases(key, aliases_nb, slot_aliases_nb(),
                                            ELEMENTSOF(aliases_nb), equal);
        }
        if (!c)
                c = find_in_table(key, LANGUAGE_EN, equal);
        if (!c)
                c = find_in_aliases(key, aliases_en, slot_aliases_en(), ELEMENTSOF(aliases_en),
                                    equal);
        return c;
}

static const Country *lookup_key(const char *key, Language language) {
        const Country *c;

        if (isempty(key))
                return NULL;
        c = find_key(key, language, key_equal);
        if (!c)
                c = find_key(key, language, key_equal_compact);
        return c;
}

static const Country *lookup_string(const char *s, size_t n, Language language) {
        char buf[KEY_MAX], key[KEY_MAX];

        if (n >= sizeof(buf))
                return NULL;
        memcpy(buf, s, n);
        buf[n] = '\0';
        country_normalize_name(buf, key, sizeof(key));
        return lookup_key(key, language);
}

/* "Burma (Myanmar)", "Democratic Republic of the Congo (D.R.C.)": accepted when the name outside
 * the parentheses and the one inside agree. One alone is not enough: "Congo (Kinshasa)" must not
 * become the Congo that iso-codes calls "Congo". */
static const Country *lookup_parenthesised(const char *name, Language language) {
        const char *open = strchr(name, '('), *close = open ? strchr(open, ')') : NULL;
        char outside[KEY_MAX];
        const Country *a, *b;

        if (!close || (size_t) (open - name) + strlen(close + 1) + 1 >= sizeof(outside))
                return NULL;
        snprintf(outside, sizeof(outside), "%.*s %s", (int) (open - name), name, close + 1);
        a = lookup_string(outside, strlen(outside), language);
        b = lookup_string(open + 1, (size_t) (close - open - 1), language);
        return a == b ? a : NULL;
}

static const Country *lookup_name(const char *name, Language language) {
        char key[KEY_MAX];
        const Country *c;

        if (!name)
                return NULL;
        country_normalize_name(name, key, sizeof(key));
        c = lookup_key(key, language);
        if (!c)
                c = lookup_parenthesised(name, language);
        return c;
}

const Country *country_all(size_t *ret_n) {
        if (ret_n)
                *ret_n = country_table_size;
        return country_table;
}

static int compare_alpha2(const void *key, const void *member) {
        return strcasecmp(key, ((const Country *) member)->alpha2);
}

static bool code_valid(const char *code, size_t len) {
        if (!code || strlen(code) != len)
                return false;
        for (size_t i = 0; i < len; i++)
                if (!isalpha((unsigned char) code[i]))
                        return false;
        return true;
}

const Country *country_by_alpha2(const char *code) {
        if (!code_valid(code, 2))
                return NULL;
        return bsearch(code, country_table, country_table_size, sizeof(Country), compare_alpha2);
}

const Country *country_by_alpha3(const char *code) {
        if (!code_valid(code, 3))
                return NULL;
        for (size_t i = 0; i < country_table_size; i++)
                if (strcasecmp(code, country_table[i].alpha3) == 0)
                        return &country_table[i];
        return NULL;
}

const Country *country_by_name(const char *name) {
        return lookup_name(name, LANGUAGE_EN);
}

const Country *country_by_name_nb(const char *name) {
        return lookup_name(name, LANGUAGE_NB);
}

static int compare_fips(const void *key, const void *member) {
        return strcasecmp(key, (*(const char *const (*)[2]) member)[0]);
}

const Country *country_by_fips(const char *code) {
        const char *const (*e)[2];

        if (!code_valid(code, 2))
                return NULL;
        e = bsearch(code, fips_table, ELEMENTSOF(fips_table), sizeof(fips_table[0]), compare_fips);
        return e ? country_by_alpha2((*e)[1]) : NULL;
}

const char *country_name(const char *alpha2) {
        const Country *c = country_by_alpha2(alpha2);
        return c ? c->name : alpha2;
}

/* Levenshtein distance, spaces ignored. Keys are shorter than KEY_MAX. */
static unsigned edit_distance(const char *a, const char *b) {
        char x[KEY_MAX], y[KEY_MAX];
        unsigned row[KEY_MAX];
        size_t m = 0, n = 0;

        for (; *a; a++)
                if (*a != ' ')
                        x[m++] = *a;
        for (; *b; b++)
                if (*b != ' ')
                        y[n++] = *b;
        for (size_t j = 0; j <= n; j++)
                row[j] = (unsigned) j;
        for (size_t i = 1; i <= m; i++) {
                unsigned diagonal = row[0];
                row[0] = (unsigned) i;
                for (size_t j = 1; j <= n; j++) {
                        unsigned up = row[j];
                        row[j] = MIN(MIN(up, row[j - 1]) + 1, diagonal + (x[i - 1] != y[j - 1]));
                        diagonal = up;
                }
        }
        return row[n];
}

/* 0 same key; 1 the name starts with the query; 2 a word of it does ("korea" → "north korea");
 * then 3 + edit distance, up to a third of the query's length. UINT_MAX: not similar. */
static unsigned suggest_score(const char *query, const char *name) {
        char key[KEY_MAX], word[KEY_MAX + 1];
        size_t len = strlen(query);
        unsigned d;

        if (!name)
                return UINT_MAX;
        country_normalize_name(name, key, sizeof(key));
        if (streq(query, key))
                return 0;
        if (len >= 3 && startswith(key, query))
                return 1;
        snprintf(word, sizeof(word), " %s", query);
        if (len >= 3 && strstr(key, word))
                return 2;
        d = edit_distance(query, key);
        return d <= MAX(len / 3, (size_t) 1) ? 3 + d : UINT_MAX;
}

typedef struct Suggestions {
        const Country **ret;
        unsigned score[SUGGEST_MAX];
        size_t n, max;
} Suggestions;

static void suggestions_remove(Suggestions *s, size_t i) {
        memmove(s->ret + i, s->ret + i + 1, (s->n - i - 1) * sizeof(s->ret[0]));
        memmove(s->score + i, s->score + i + 1, (s->n - i - 1) * sizeof(s->score[0]));
        s->n--;
}

/* Keeps the best score per country and the max best countries, ordered by score. */
static void suggestions_add(Suggestions *s, const Country *c, unsigned score) {
        size_t i;

        if (!c || score == UINT_MAX)
                return;
        for (i = 0; i < s->n && s->ret[i] != c; i++)
                ;
        if (i < s->n) {
                if (score >= s->score[i])
                        return;
                suggestions_remove(s, i);
        } else if (s->n == s->max) {
                if (score >= s->score[s->n - 1])
                        return;
                s->n--;
        }
        for (i = 0; i < s->n && s->score[i] <= score; i++)
                ;
        memmove(s->ret + i + 1, s->ret + i, (s->n - i) * sizeof(s->ret[0]));
        memmove(s->score + i + 1, s->score + i, (s->n - i) * sizeof(s->score[0]));
        s->ret[i] = c;
        s->score[i] = score;
        s->n++;
}

static void suggestions_add_aliases(Suggestions *s, const char *query,
                                    const char *const (*aliases)[2], size_t n) {
        for (size_t i = 0; i < n; i++)
                suggestions_add(s, country_by_alpha2(aliases[i][1]),
                                suggest_score(query, aliases[i][0]));
}

size_t country_suggest(const char *name, const Country **ret, size_t max) {
        Suggestions s = { .ret = ret, .max = MIN(max, (size_t) SUGGEST_MAX) };
        char query[KEY_MAX];

        if (!name || s.max == 0)
                return 0;
        country_normalize_name(name, query, sizeof(query));
        if (isempty(query))
                return 0;
        for (size_t i = 0; i < country_table_size; i++) {
                const Country *c = &country_table[i];
                suggestions_add(&s, c, suggest_score(query, c->name));
                suggestions_add(&s, c, suggest_score(query, c->official_name));
                suggestions_add(&s, c, suggest_score(query, c->name_nb));
        }
        suggestions_add_aliases(&s, query, aliases_en, ELEMENTSOF(aliases_en));
        suggestions_add_aliases(&s, query, aliases_nb, ELEMENTSOF(aliases_nb));
        return s.n;
}

size_t country_fips_table(const char *const (**ret)[2]) {
        *ret = fips_table;
        return ELEMENTSOF(fips_table);
}

size_t country_alias_table(const char *const (**ret)[2]) {
        *ret = aliases_en;
        return ELEMENTSOF(aliases_en);
}

size_t country_alias_nb_table(const char *const (**ret)[2]) {
        *ret = aliases_nb;
        return ELEMENTSOF(aliases_nb);
}
