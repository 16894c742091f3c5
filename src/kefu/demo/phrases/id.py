"""Indonesian phrasebook of the demo."""

from __future__ import annotations

from kefu.demo.phrases.book import Intent, IntentLines, Phrasebook

BOOK = Phrasebook(
    language="id",
    months=("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
            "September", "Oktober", "November", "Desember"),
    date_format="{day} {month}",
    products=("earphone nirkabel", "air fryer", "sepatu lari", "casing HP", "rice cooker",
              "jam tangan pintar", "stroller bayi", "kursi kantor"),
    greeting=("Halo Kak {name}, terima kasih sudah menghubungi kami. Saya {agent}.",
              "Selamat siang Kak {name}, saya {agent} dari layanan pelanggan.",
              "Hai Kak {name}, dengan {agent} di sini, ada yang bisa dibantu?"),
    closing=("Apakah ada lagi yang bisa kami bantu, Kak?",
             "Jangan ragu hubungi kami lagi ya, Kak. Semoga harinya menyenangkan!",
             "Terima kasih atas kesabarannya, Kak {name}."),
    thanks=("Oke, makasih banyak ya!", "Siap, terima kasih Kak.", "Mantap, terima kasih atas bantuannya.",
            "Sip, makasih 🙏"),
    intents={
        Intent.ORDER_STATUS: IntentLines(
            opening=("Halo, pesanan {order} saya sudah sampai mana ya? Saya pesan {product} minggu lalu.",
                     "Kak, tolong cek status pesanan {order} dong.",
                     "Pesanan {order} masih 'diproses' terus, kapan dikirim?",
                     "Min, ada update untuk pesanan {order}? Butuh {product}-nya sebelum akhir pekan."),
            answer=("Pesanan {order} sudah keluar dari gudang dan ada di kurir, nomor resi {tracking}. "
                    "Perkiraan tiba {date}.",
                    "Sudah saya cek, pesanan {order} dikemas hari ini dan dikirim besok. Perkiraan "
                    "tiba {date}, link pelacakan dikirim lewat SMS.",
                    "{product} Kakak sedang dalam perjalanan (resi {tracking}), estimasi kurir {date}."),
            follow_up=("Bisa diantar setelah jam 6 sore? Siang rumah kosong.",
                       "Link pelacakannya nggak bisa dibuka.",
                       "Oke, perlu tanda tangan nggak?"),
            resolution=("Sudah saya tambahkan catatan ke kurir untuk antar setelah jam 6 sore.",
                        "Ini nomor resinya {tracking}, bisa dicek langsung di situs kurir. Tidak perlu "
                        "tanda tangan."),
        ),
        Intent.DELIVERY_DELAY: IntentLines(
            opening=("Pesanan {order} harusnya sampai {date} tapi sampai sekarang belum datang.",
                     "Sudah {days} hari {product} saya belum sampai, ini gimana sih?",
                     "Pengiriman {order} telat lagi, resinya nggak bergerak sejak {date}.",
                     "Paket {tracking} saya nyangkut, padahal butuh cepat."),
            answer=("Mohon maaf atas keterlambatannya, Kak {name}. Ada penumpukan di gudang sortir; paket "
                    "sudah jalan lagi dan estimasi barunya {date}.",
                    "Maaf ya Kak, saya sudah ajukan pelacakan ke kurir untuk {tracking} dan minta "
                    "diprioritaskan. Saya kabari lagi dalam 24 jam.",
                    "Mohon maaf, paket tertahan karena cuaca buruk. Dijadwalkan diantar {date}."),
            follow_up=("Kelamaan, saya butuhnya sebelum akhir pekan.",
                       "Ongkirnya bisa dikembalikan karena telat?",
                       "Ya sudah, pastikan kali ini beneran sampai."),
            resolution=("Sebagai permohonan maaf, ongkir {amount} sudah kami kembalikan, masuk dalam "
                        "{days} hari kerja.",
                        "Kurir sudah konfirmasi antar {date} sebelum jam 12. Saya pantau terus ya, Kak."),
        ),
        Intent.REFUND_RETURN: IntentLines(
            opening=("Saya mau retur {product} dari pesanan {order}, barangnya datang rusak.",
                     "{product} yang saya terima ukurannya salah, cara tukarnya gimana?",
                     "Saya minta pengembalian dana untuk pesanan {order}, barangnya nggak berfungsi.",
                     "Barang yang saya beli tanggal {date} masih segel, bisa dikembalikan?"),
            answer=("Mohon maaf ya Kak! Retur sudah disetujui. Kurir akan jemput barang tanggal {date}; "
                    "dana {amount} dikembalikan setelah barang diterima gudang.",
                    "Bisa Kak, sudah saya buatkan penukaran ukuran; {product} baru dikirim begitu "
                    "barang lama kami terima.",
                    "Pengajuan retur untuk pesanan {order} sudah dibuat. Silakan dikemas, penjemputan "
                    "{date} jam 9 pagi sampai 6 sore."),
            follow_up=("Dananya berapa lama masuknya?", "Saya perlu cetak label nggak?",
                       "Bisa dikembalikan ke saldo dompet aja?"),
            resolution=("Dana {amount} dikembalikan ke metode pembayaran awal dalam {days} hari kerja.",
                        "Tidak perlu cetak label, kurir yang bawa. Dana masuk dalam {days} hari kerja."),
        ),
        Intent.PASSWORD_RESET: IntentLines(
            opening=("Saya nggak bisa login, lupa kata sandi.",
                     "Email reset password nggak pernah masuk.",
                     "Akun saya terkunci karena salah password berkali-kali, tolong dibantu.",
                     "Cara ganti kata sandi di aplikasi gimana ya?"),
            answer=("Link reset baru sudah saya kirim ke {email}, berlaku 30 menit. Cek folder spam "
                    "juga ya, Kak.",
                    "Akun dikunci sementara demi keamanan. Sudah saya buka dan link reset dikirim ke "
                    "{email}.",
                    "Di aplikasi buka Akun > Pengaturan > Keamanan > Ubah kata sandi. Saya juga kirim "
                    "link reset ke {email}."),
            follow_up=("Masih belum masuk emailnya.", "Katanya link-nya sudah kedaluwarsa."),
            resolution=("Sudah saya kirim ulang, harusnya masuk dalam satu menit.",
                        "Beres, Kakak sudah bisa login dengan kata sandi baru."),
        ),
        Intent.EXCHANGE_RATE: IntentLines(
            opening=("Kalau bayar pakai mata uang lain, kursnya pakai yang mana?",
                     "Kenapa harga dalam rupiah beda dengan kemarin?",
                     "Halo, kurs hari ini berapa? Saya mau isi saldo."),
            answer=("Kurs hari ini {rate}. Kurs dikunci saat pembayaran dikonfirmasi, jadi tidak "
                    "berubah lagi.",
                    "Kurs kami diperbarui tiap hari jam 9 pagi, hari ini {rate}. Bank mungkin "
                    "menambah biaya sendiri."),
            follow_up=("Jadi kalau bayar besok bisa beda?",),
            resolution=("Betul, besok bisa sedikit berubah. Bayar hari ini terkunci di {rate}.",),
        ),
        Intent.COUPON: IntentLines(
            opening=("Kupon {code} saya nggak bisa dipakai waktu checkout.",
                     "Pakai kode {code} tapi nggak dapat diskon, bisa dibantu?",
                     "Kupon dari email promo di mana ya ambilnya?"),
            answer=("Kupon {code} berlaku untuk minimal belanja {amount}. Keranjang Kakak sedikit di "
                    "bawahnya, jadi belum terpakai.",
                    "Kode {code} sudah kedaluwarsa tanggal {date}. Sebagai gantinya saya tambahkan "
                    "kupon baru dengan nilai sama.",
                    "Kupon dari email ada di aplikasi menu Akun > Kupon Saya. {code} sudah siap dipakai."),
            follow_up=("Bisa dipakai untuk pesanan yang sudah dibayar?",),
            resolution=("Selisih {amount} sudah kami kembalikan ke saldo Kakak.",
                        "Bisa, diskonnya sudah saya terapkan ke pesanan {order}."),
        ),
        Intent.COMPLAINT: IntentLines(
            opening=("Keterlaluan! Saya ditagih {amount} dua kali untuk pesanan {order}!",
                     "Ini komplain saya yang kedua. {product} rusak lagi dan nggak ada yang balas.",
                     "Kurirnya kasar dan paket ditinggal kehujanan. Saya minta ganti rugi.",
                     "Sudah {days} hari nunggu refund {amount}, kecewa banget."),
            answer=("Mohon maaf sekali, Kak {name}, saya paham ini sangat menjengkelkan. Saya konfirmasi "
                    "dulu: pesanan {order} terpotong {amount} dua kali, betul?",
                    "Saya mohon maaf atas ketidaknyamanannya. Kasus Kakak sudah saya eskalasi ke tim "
                    "senior dan saya kawal sendiri.",
                    "Mohon maaf atas kejadian ini, bukan layanan yang seharusnya. Kurir sudah kami "
                    "laporkan dan ganti rugi sedang saya cek."),
            follow_up=("Iya betul. Saya mau uangnya balik hari ini.",
                       "Dari dulu jawabannya begitu. Kapan tepatnya beres?"),
            resolution=("Tagihan ganda {amount} sudah dikembalikan, masuk dalam {days} hari kerja. "
                        "Saya akan telepon tanggal {date} untuk memastikan.",
                        "Barang pengganti sudah dikirim dan voucher {amount} sebagai permohonan maaf. "
                        "Saya follow up lagi tanggal {date}."),
        ),
        Intent.THANKS: IntentLines(
            opening=("{product}-nya sudah sampai, makasih sudah dibantu cepat!",
                     "Terima kasih Kak {agent} kemarin, dananya sudah masuk.",
                     "Pesanan {order} sudah diterima hari ini. Pelayanannya mantap!"),
            answer=("Senang mendengarnya, Kak {name}! Selamat menikmati {product}-nya.",
                    "Terima kasih kabarnya, Kak, bikin kami semangat!"),
        ),
    },
)
