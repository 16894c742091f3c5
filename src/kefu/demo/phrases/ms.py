"""Malay phrasebook of the demo (Malaysia, Singapore and Brunei customers)."""

from __future__ import annotations

from kefu.demo.phrases.book import Intent, IntentLines, Phrasebook

BOOK = Phrasebook(
    language="ms",
    months=("Januari", "Februari", "Mac", "April", "Mei", "Jun", "Julai", "Ogos", "September",
            "Oktober", "November", "Disember"),
    date_format="{day} {month}",
    products=("fon telinga tanpa wayar", "penggoreng udara", "kasut larian", "sarung telefon",
              "periuk nasi", "jam tangan pintar", "kereta sorong bayi", "kerusi pejabat"),
    greeting=("Hai {name}, terima kasih kerana menghubungi kami. Saya {agent}.",
              "Selamat petang {name}, saya {agent} dari khidmat pelanggan.",
              "Salam {name}, {agent} di sini. Apa yang boleh saya bantu?"),
    closing=("Ada apa-apa lagi yang boleh saya bantu?",
             "Jangan segan hubungi kami semula ya. Semoga hari anda baik!",
             "Terima kasih atas kesabaran anda, {name}."),
    thanks=("Baik, terima kasih banyak!", "Okey, terima kasih ya.", "Terima kasih atas bantuan tu.",
            "Cantik, terima kasih 🙏"),
    intents={
        Intent.ORDER_STATUS: IntentLines(
            opening=("Hai, pesanan {order} saya dah sampai mana? Saya beli {product} minggu lepas.",
                     "Boleh tolong semak status pesanan {order}?",
                     "Pesanan {order} masih tunjuk 'sedang diproses'. Bila nak dihantar?",
                     "Ada apa-apa berita pasal pesanan {order}? Saya perlukan {product} sebelum hujung "
                     "minggu."),
            answer=("Pesanan {order} dah keluar dari gudang dan berada dengan kurier, nombor penjejakan "
                    "{tracking}. Dijangka sampai {date}.",
                    "Saya dah semak, pesanan {order} dibungkus hari ini dan dihantar esok. Jangkaan "
                    "sampai {date}, pautan penjejakan akan dihantar melalui SMS.",
                    "{product} anda dalam perjalanan (nombor penjejakan {tracking}). Kurier anggarkan "
                    "{date}."),
            follow_up=("Boleh hantar selepas pukul 6 petang? Siang tak ada orang di rumah.",
                       "Pautan penjejakan tu tak boleh dibuka.",
                       "Okey, kena tandatangan ke?"),
            resolution=("Saya dah tambah nota untuk kurier supaya hantar selepas pukul 6 petang.",
                        "Ini nombor penjejakan {tracking}, boleh semak terus di laman kurier. Tak perlu "
                        "tandatangan."),
        ),
        Intent.DELIVERY_DELAY: IntentLines(
            opening=("Pesanan {order} sepatutnya sampai {date} tapi sampai sekarang tak sampai lagi.",
                     "Dah {days} hari {product} saya belum sampai. Macam mana ni?",
                     "Penghantaran {order} lewat lagi, penjejakan tak bergerak sejak {date}.",
                     "Bungkusan {tracking} saya tersangkut. Saya perlukan segera."),
            answer=("Saya mohon maaf atas kelewatan ini, {name}. Ada longgokan di hab penyusunan; "
                    "bungkusan anda dah bergerak semula dan anggaran baharu {date}.",
                    "Maaf atas kelewatan. Saya dah buat semakan dengan kurier untuk {tracking} dan minta "
                    "diutamakan. Saya akan maklumkan dalam masa 24 jam.",
                    "Maaf ya, bungkusan tertahan sebab cuaca buruk. Ia akan dihantar pada {date}."),
            follow_up=("Lambat sangat, saya nak sebelum hujung minggu.",
                       "Boleh pulangkan caj penghantaran sebab lewat?",
                       "Baiklah. Pastikan kali ni betul-betul sampai."),
            resolution=("Sebagai tanda maaf, caj penghantaran {amount} telah dipulangkan dan akan masuk "
                        "dalam {days} hari bekerja.",
                        "Kurier dah sahkan penghantaran pada {date} sebelum tengah hari. Saya akan pantau."),
        ),
        Intent.REFUND_RETURN: IntentLines(
            opening=("Saya nak pulangkan {product} daripada pesanan {order}, barang sampai dalam "
                     "keadaan rosak.",
                     "{product} yang saya terima salah saiz. Macam mana nak tukar?",
                     "Saya nak bayaran balik untuk pesanan {order}. Barang tak berfungsi.",
                     "Boleh pulangkan barang yang saya beli pada {date}? Belum dibuka lagi."),
            answer=("Maaf atas kesulitan! Pemulangan dah diluluskan. Kurier akan ambil barang pada {date}; "
                    "bayaran balik {amount} dibuat sebaik gudang terima.",
                    "Tiada masalah. Saya dah buat pertukaran saiz; {product} baharu dihantar sebaik kami "
                    "terima barang lama.",
                    "Permohonan pemulangan untuk pesanan {order} dah dibuka. Sila bungkus barang, "
                    "pengambilan pada {date} antara 9 pagi hingga 6 petang."),
            follow_up=("Berapa lama bayaran balik masuk?", "Perlu cetak label ke?",
                       "Boleh masukkan bayaran balik ke e-dompet?"),
            resolution=("Bayaran balik {amount} akan masuk ke kaedah pembayaran asal dalam {days} hari "
                        "bekerja.",
                        "Tak perlu label, kurier bawa sendiri. Bayaran balik dalam {days} hari bekerja."),
        ),
        Intent.PASSWORD_RESET: IntentLines(
            opening=("Saya tak boleh log masuk, terlupa kata laluan.",
                     "E-mel set semula kata laluan tak sampai-sampai.",
                     "Akaun saya dikunci sebab salah kata laluan banyak kali, tolong.",
                     "Macam mana nak tukar kata laluan dalam aplikasi?"),
            answer=("Saya dah hantar pautan set semula baharu ke {email}. Sah selama 30 minit; sila "
                    "semak folder spam juga.",
                    "Akaun dikunci sementara untuk keselamatan. Saya dah buka dan hantar pautan set "
                    "semula ke {email}.",
                    "Dalam aplikasi pergi ke Saya > Tetapan > Keselamatan > Tukar kata laluan. Saya juga "
                    "hantar pautan ke {email}."),
            follow_up=("Masih tak ada dalam peti masuk.", "Dia kata pautan dah tamat tempoh."),
            resolution=("Saya dah hantar pautan baharu, patut sampai dalam seminit.",
                        "Selesai, anda boleh log masuk dengan kata laluan baharu sekarang."),
        ),
        Intent.EXCHANGE_RATE: IntentLines(
            opening=("Kalau bayar guna mata wang lain, kadar tukaran yang mana dipakai?",
                     "Kenapa harga dalam ringgit lain daripada semalam?",
                     "Hai, kadar tukaran hari ni berapa? Saya nak tambah nilai."),
            answer=("Kadar hari ini {rate}. Kadar dikunci bila anda sahkan bayaran, jadi tak akan "
                    "berubah lepas tu.",
                    "Kadar kami dikemas kini setiap hari pukul 9 pagi; hari ini {rate}. Bank mungkin "
                    "kenakan caj sendiri."),
            follow_up=("Jadi kalau bayar esok mungkin lain?",),
            resolution=("Ya, esok mungkin berubah sedikit. Bayar hari ini dikunci pada {rate}.",),
        ),
        Intent.COUPON: IntentLines(
            opening=("Kupon {code} saya tak boleh guna masa bayar.",
                     "Saya guna kod {code} tapi tak dapat diskaun, boleh tolong?",
                     "Kat mana nak tuntut kupon daripada e-mel promosi?"),
            answer=("Kupon {code} perlukan perbelanjaan minimum {amount}. Troli anda kurang sedikit, "
                    "jadi ia tak digunakan.",
                    "Kod {code} dah tamat tempoh pada {date}. Saya dah tambah kupon baharu dengan nilai "
                    "sama.",
                    "Kupon daripada e-mel ada dalam aplikasi di Saya > Kupon. {code} dah sedia di situ."),
            follow_up=("Boleh guna untuk pesanan yang dah dibayar?",),
            resolution=("Beza {amount} dah dipulangkan ke e-dompet anda.",
                        "Boleh, diskaun dah dikenakan pada pesanan {order}."),
        ),
        Intent.COMPLAINT: IntentLines(
            opening=("Teruk betul! Saya dicaj {amount} dua kali untuk pesanan {order}!",
                     "Ini kali kedua saya komplen. {product} rosak lagi dan tak ada siapa jawab.",
                     "Kurier biadab dan tinggalkan bungkusan dalam hujan. Saya nak pampasan.",
                     "Dah {days} hari tunggu bayaran balik {amount}. Sangat kecewa."),
            answer=("Saya betul-betul minta maaf, {name}, dan saya faham betapa menyusahkan ni. Saya "
                    "sahkan dulu: pesanan {order} dicaj {amount} dua kali, betul?",
                    "Saya mohon maaf atas kesulitan ini. Kes anda dah dinaikkan ke pasukan kanan dan "
                    "saya sendiri akan susuli.",
                    "Maaf atas kejadian ini, itu bukan perkhidmatan yang sepatutnya. Kurier dah "
                    "dilaporkan dan saya sedang semak pampasan."),
            follow_up=("Ya betul. Saya nak duit saya balik hari ni.",
                       "Selalu jawapan sama. Bila sebenarnya nak selesai?"),
            resolution=("Caj berganda {amount} dah dipulangkan, masuk dalam {days} hari bekerja. Saya "
                        "akan telefon pada {date} untuk sahkan.",
                        "Barang ganti dah dihantar beserta baucar {amount} sebagai tanda maaf. Saya "
                        "akan susuli pada {date}."),
        ),
        Intent.THANKS: IntentLines(
            opening=("{product} dah sampai, terima kasih sebab selesaikan cepat!",
                     "Terima kasih {agent} semalam, bayaran balik dah masuk.",
                     "Pesanan {order} sampai hari ni. Servis terbaik!"),
            answer=("Gembira dengar, {name}! Selamat menggunakan {product}.",
                    "Terima kasih sebab maklumkan, memang buat hari kami ceria!"),
        ),
    },
)
