// Arabic names of the places the basemap labels and the bundled incidents name, for readers who
// read and search them in Arabic. Standard Arabic forms (as Arabic Wikipedia titles them); a
// place not listed keeps its English name.

const ARABIC: Readonly<Record<string, string>> = {
  // Countries and regions
  Iraq: 'العراق',
  Syria: 'سوريا',
  Iran: 'إيران',
  Turkey: 'تركيا',
  'Saudi Arabia': 'السعودية',
  Jordan: 'الأردن',
  Kuwait: 'الكويت',
  Lebanon: 'لبنان',
  Israel: 'إسرائيل',
  'Kurdistan Region': 'إقليم كردستان',
  'Anbar Governorate': 'محافظة الأنبار',
  'Salahuddin Governorate': 'محافظة صلاح الدين',
  'Kirkuk Governorate': 'محافظة كركوك',
  'Deir ez-Zor Governorate': 'محافظة دير الزور',
  'Tehran Province': 'محافظة طهران',
  'Shahriar County': 'مقاطعة شهريار',
  'Taji district': 'قضاء التاجي',
  // Cities
  Baghdad: 'بغداد',
  Damascus: 'دمشق',
  Tehran: 'طهران',
  Amman: 'عمّان',
  Beirut: 'بيروت',
  'Kuwait City': 'مدينة الكويت',
  Riyadh: 'الرياض',
  Ankara: 'أنقرة',
  Kirkuk: 'كركوك',
  Erbil: 'أربيل',
  Mosul: 'الموصل',
  Basra: 'البصرة',
  Ramadi: 'الرمادي',
  Tikrit: 'تكريت',
  Najaf: 'النجف',
  'Deir ez-Zor': 'دير الزور',
  Aleppo: 'حلب',
  Homs: 'حمص',
  Isfahan: 'أصفهان',
  Tabriz: 'تبريز',
  Kermanshah: 'كرمانشاه',
  Qom: 'قم',
  // Sites named in the bundled incidents
  'Baghdad International Airport': 'مطار بغداد الدولي',
  'Green Zone': 'المنطقة الخضراء',
  'Green Zone (Karkh)': 'المنطقة الخضراء (الكرخ)',
  'Al Asad (Ayn al-Asad) Air Base': 'قاعدة عين الأسد الجوية',
  'Balad Air Base': 'قاعدة بلد الجوية',
  'Camp Taji': 'معسكر التاجي',
  'US Embassy compound': 'مجمع السفارة الأمريكية',
  'Coalition base at Erbil International Airport': 'قاعدة التحالف في مطار أربيل الدولي',
};

/** The Arabic name of one place, or null when it is not known. */
export function arabicName(name: string): string | null {
  return Object.hasOwn(ARABIC, name) ? ARABIC[name] : null;
}

/**
 * An incident's place ("Green Zone, Baghdad, Iraq") in Arabic, part by part, joined with the
 * Arabic comma; null unless every part is known, so the caller shows the English alone: a
 * right-to-left line with English phrases inside it reads in neither language.
 */
export function placeInArabic(place: string): string | null {
  const arabic = place.split(',').map((p) => arabicName(p.trim()));
  return arabic.every((a) => a !== null) ? arabic.join('، ') : null;
}
