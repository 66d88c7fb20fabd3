/**
 * Times as the CA and its applicants read them: Beijing time (UTC+8, no daylight saving), whatever the
 * computer's own time zone — the order number's date, the SMS texts and the staff all use it.
 */
import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc.js';

dayjs.extend(utc);

export const beijing = (t: string | number | Date, format = 'YYYY-MM-DD HH:mm'): string => dayjs(t).utcOffset(480).format(format);
